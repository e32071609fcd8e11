import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AdaptiveSpin,
  BridgeEnd,
  createBridgeBuffer,
  createGrowableBridgeBuffer,
  deserializeRejection,
  INLINE_BYTES,
  MessageKind,
  serializeRejection,
} from './host-bridge.js';
import { portMessages } from '../node/port-messages.js';

const channels: MessageChannel[] = [];
afterEach(() => channels.splice(0).forEach((channel) => channel.port1.close()));

/** Both ends on one thread: each side only reads after the other has handed it the turn. */
function pair() {
  const buffer = createBridgeBuffer();
  const channel = new MessageChannel();
  channels.push(channel);
  return {
    main: new BridgeEnd(buffer, 'main', portMessages(channel.port1)),
    worker: new BridgeEnd(buffer, 'worker', portMessages(channel.port2)),
  };
}

describe('host bridge', () => {
  it('passes small messages inline and hands the turn over', async () => {
    const { main, worker } = pair();
    main.send(MessageKind.call, 7, new Uint8Array([1, 2, 3]));
    worker.waitSync(); // returns at once: it is the worker's turn
    expect(worker.receive()).toEqual({
      kind: MessageKind.call,
      aux: 7,
      payload: new Uint8Array([1, 2, 3]),
      fuel: 0,
      memoryBytes: 0,
    });
    // A result carries the fuel the call used (a float64 beside the header: it may exceed 2^31) and the
    // guest's memory size.
    worker.send(MessageKind.result, 0, new Uint8Array(0), 3_000_000_000, 131_072);
    expect(await main.waitAsync(1000)).toBe(true);
    expect(main.receive()).toEqual({
      kind: MessageKind.result,
      aux: 0,
      payload: new Uint8Array(0),
      fuel: 3_000_000_000,
      memoryBytes: 131_072,
    });
  });

  it('carries payloads larger than the shared buffer through the port, in both directions', async () => {
    const { main, worker } = pair();
    const large = new Uint8Array(INLINE_BYTES * 3 + 1).map((_, i) => i % 251);
    main.send(MessageKind.hostAnswer, 0, large.slice());
    expect(Buffer.from(worker.receive().payload).equals(large)).toBe(true);
    worker.send(MessageKind.hostRequest, 4, large.subarray(1));
    expect(await main.waitAsync(1000)).toBe(true);
    const { kind, aux, payload } = main.receive();
    expect([kind, aux]).toEqual([MessageKind.hostRequest, 4]);
    expect(Buffer.from(payload).equals(large.subarray(1))).toBe(true);
  });

  it('grows a growable buffer for payloads larger than it, where no port carries them (browsers)', async () => {
    const buffer = createGrowableBridgeBuffer(INLINE_BYTES * 4);
    const main = new BridgeEnd(buffer, 'main');
    const worker = new BridgeEnd(buffer, 'worker');
    const large = new Uint8Array(INLINE_BYTES * 3 + 1).map((_, i) => i % 251);
    main.send(MessageKind.hostAnswer, 0, large);
    expect(buffer.byteLength).toBeGreaterThan(INLINE_BYTES * 3);
    expect(Buffer.from(worker.receive().payload).equals(large)).toBe(true);
    worker.send(MessageKind.result, 1, large.subarray(7));
    expect(await main.waitAsync(1000)).toBe(true);
    expect(Buffer.from(main.receive().payload).equals(large.subarray(7))).toBe(true);
    // Small messages still pass after the buffer grew.
    main.send(MessageKind.call, 2, new Uint8Array([9]));
    expect(worker.receive().payload).toEqual(new Uint8Array([9]));
  });

  it('refuses a payload beyond what the bridge carries, naming its size, and keeps the turn', () => {
    const growable = createGrowableBridgeBuffer(INLINE_BYTES * 2);
    const main = new BridgeEnd(growable, 'main');
    expect(() => main.send(MessageKind.call, 0, new Uint8Array(INLINE_BYTES * 2 + 1))).toThrow(
      new RangeError(
        `host bridge: a message of ${INLINE_BYTES * 2 + 1} bytes is larger than the bridge carries (${INLINE_BYTES * 2} bytes)`,
      ),
    );
    const fixed = new BridgeEnd(createBridgeBuffer(), 'main');
    expect(() => fixed.send(MessageKind.call, 0, new Uint8Array(INLINE_BYTES + 1))).toThrow(RangeError);
    // Nothing was handed over: the worker side still has no turn.
    const worker = new BridgeEnd(growable, 'worker');
    main.send(MessageKind.call, 3, new Uint8Array([1]));
    expect(worker.receive().aux).toBe(3);
  });

  it('reports a wait that times out on the main side', async () => {
    const { main } = pair();
    main.send(MessageKind.call, 0, new Uint8Array(0));
    expect(await main.waitAsync(5)).toBe(false);
  });

  it('rebuilds rejections as errors of the same kind', () => {
    const trap = deserializeRejection(serializeRejection(new WebAssembly.RuntimeError('unreachable')));
    expect(trap).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(trap.message).toBe('unreachable');
    expect(deserializeRejection(serializeRejection(new RangeError('stack')))).toBeInstanceOf(RangeError);
    expect(serializeRejection({ message: 'plain object' })).toEqual({
      kind: 'error',
      message: 'plain object',
    });
    expect(serializeRejection('text')).toEqual({ kind: 'error', message: 'text' });
  });

  it('spins less when answers keep coming late, more when they come soon, and not at all when contended', () => {
    const spin = new AdaptiveSpin({ maxUs: 64, shortWaitUs: 120 });
    expect(spin.budgetUs).toBe(64);
    spin.waited(5_000); // gave up, then waited 5 ms: the other side was slow or not running
    expect(spin.budgetUs).toBe(32);
    for (let i = 0; i < 4; i++) spin.waited(5_000);
    expect(spin.budgetUs).toBe(2);
    spin.waited(5_000);
    expect(spin.budgetUs).toBe(0); // blocks at once: the core is worth more to the other side
    spin.waited(80); // a short wait: a longer spin would have caught it
    expect(spin.budgetUs).toBe(8);
    spin.waited(80);
    expect(spin.budgetUs).toBe(16);
    for (let i = 0; i < 10; i++) spin.caught(10);
    expect(spin.budgetUs).toBe(64); // capped
  });

  it('keeps the mode whose waits were shorter, blocking at once when spinning costs the other side its core', () => {
    const spin = new AdaptiveSpin({ maxUs: 50, shortWaitUs: 120 });
    /** One measuring window of waits in the current mode, each taking `us` (spinning: caught). */
    const window = (spinUs: number, blockUs: number) => {
      for (let i = 0; i < 256; i++) {
        if (spin.resting) spin.rested(blockUs);
        else spin.caught(spinUs);
      }
    };
    expect(spin.resting).toBe(false);
    // A shared core: caught answers come late (60 µs), blocking gets them sooner (30 µs).
    window(60, 30); // measures spinning, then tries blocking
    expect(spin.resting).toBe(true);
    window(60, 30); // blocking measured better: it stays
    expect(spin.resting).toBe(true);
    const modes: boolean[] = [];
    for (let w = 0; w < 40; w++) {
      window(60, 30);
      modes.push(spin.resting);
    }
    // Spinning is probed again now and then, and loses each time; probes get rarer.
    expect(modes.filter((resting) => !resting).length).toBeGreaterThan(0);
    expect(modes.filter((resting) => !resting).length).toBeLessThan(6);
    // The machine frees up: spinning catches answers in 10 µs, blocking takes 30; the next probe wins.
    for (let w = 0; w < 200 && spin.resting; w++) window(10, 30);
    expect(spin.resting).toBe(false);
    window(10, 30);
    expect(spin.resting).toBe(false);
    // Waits of a millisecond or more (nothing to send) are not counted: they change nothing.
    for (let i = 0; i < 10_000; i++) spin.waited(5_000);
    expect(spin.resting).toBe(false);
  });
});
