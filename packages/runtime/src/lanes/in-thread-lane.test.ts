import { describe, expect, it } from 'vitest';
import { wat } from '../__fixtures__/wat.js';
import { resolveLimits, type PluginLimits } from '../limits.js';
import { createInThreadLane } from './in-thread-lane.js';

/** A guest that overwrites the first byte of its input block, then echoes the input. */
const scribbler = () =>
  wat(`(module
    (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
    (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
    (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
    (import "extism:host/env" "input_length" (func $input_length (result i64)))
    (memory (export "memory") 1 1)
    (func (export "scribble") (result i32)
      (call $store_u8 (call $input_offset) (i32.const 0x58))
      (call $output_set (call $input_offset) (call $input_length))
      (i32.const 0)))`);

const context = { pluginId: 'acme.scribbler', exportName: 'scribble' };
const scribblerLane = async (limits: Partial<PluginLimits> = {}) =>
  createInThreadLane({
    module: new WebAssembly.Module(await scribbler()),
    bundle: {},
    limits: resolveLimits(limits),
  });

describe('in-thread lane', () => {
  it('gives the guest a copy of a Uint8Array input, so a guest writing to its input block changes nothing', async () => {
    const lane = await createInThreadLane({
      module: new WebAssembly.Module(await scribbler()),
      bundle: {},
      limits: resolveLimits(),
    });
    const input = new TextEncoder().encode('hello');
    const context = { pluginId: 'acme.scribbler', exportName: 'scribble' };
    const first = await lane.call('scribble', input, context);
    expect(new TextDecoder().decode(first.output ?? new Uint8Array())).toBe('Xello');
    expect(new TextDecoder().decode(input)).toBe('hello');
    const second = await lane.call('scribble', input, context);
    expect(new TextDecoder().decode(second.output ?? new Uint8Array())).toBe('Xello');
    await lane.close();
  });

  it('callDecoded hands output and host-call count to the decoder and settles with what it returns', async () => {
    const lane = await scribblerLane();
    const seen: [string, number][] = [];
    const decoded = await lane.callDecoded?.('scribble', 'hello', context, (output, hostCalls) => {
      seen.push([new TextDecoder().decode(output ?? new Uint8Array()), hostCalls]);
      return 'decoded';
    });
    expect(decoded).toBe('decoded');
    expect(seen).toEqual([['Xello', 0]]);
    await lane.close();
  });

  it('callDecoded rejects with what the decoder throws, and the next call still runs', async () => {
    const lane = await scribblerLane();
    const failing = lane.callDecoded?.('scribble', 'hello', context, () => {
      throw new Error('cannot decode');
    });
    await expect(failing).rejects.toThrow('cannot decode');
    const next = await lane.call('scribble', 'again', context);
    expect(new TextDecoder().decode(next.output ?? new Uint8Array())).toBe('Xgain');
    await lane.close();
  });

  it('callDecoded checks the output limit before decoding: too much output never reaches the decoder', async () => {
    const lane = await scribblerLane({ outputMaxBytes: 4 });
    let decoded = false;
    const call = lane.callDecoded?.('scribble', 'hello', context, () => (decoded = true));
    await expect(call).rejects.toMatchObject({
      code: 'output_too_large',
      message: 'plugin acme.scribbler (scribble) produced 5 bytes of output; the limit is 4',
    });
    expect(decoded).toBe(false);
    await lane.close();
  });
});
