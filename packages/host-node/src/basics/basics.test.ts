import { capabilityFunctionNames } from '@plinth/protocol';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { EmittedEvent, HostCallContext } from '@plinth/host-kit';
import { describe, expect, it } from 'vitest';
import { createBasicBundles } from './create-basic-bundles.js';
import { createEventEmitterBus } from './event-emitter-bus.js';
import { createJsonLogSink, parseJsonLogLines } from './json-log-sink.js';
import { createNodeClock } from './node-clock.js';

const context: HostCallContext = { pluginId: 'acme.node', pluginVersion: '2.0.0', exportName: 'init' };
const SUMMER = Date.UTC(2026, 6, 1, 12, 0, 0);
const WINTER = Date.UTC(2026, 11, 1, 12, 0, 0);

describe('createNodeClock', () => {
  it('reads offsets from IANA zones, including DST and half-hour zones', () => {
    const offset = (timeZone: string, at: number) => createNodeClock({ timeZone }).timeZoneOffsetMinutes!(at);
    expect(offset('Europe/Berlin', WINTER)).toBe(60);
    expect(offset('Europe/Berlin', SUMMER)).toBe(120);
    expect(offset('America/New_York', WINTER)).toBe(-300);
    expect(offset('Asia/Kathmandu', WINTER)).toBe(345);
    expect(offset('UTC', WINTER)).toBe(0);
  });
  it('defaults to the system zone and refuses an unknown zone up front', () => {
    expect(createNodeClock().timeZoneOffsetMinutes!(WINTER)).toBe(-new Date(WINTER).getTimezoneOffset());
    expect(() => createNodeClock({ timeZone: 'Mars/Olympus' })).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message:
          'createNodeClock: option `timeZone` must be an IANA time zone such as "Europe/Berlin" (got "Mars/Olympus")',
      }),
    );
  });
});

describe('createJsonLogSink', () => {
  it('writes one JSON line per entry that parses back to the entry', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const sink = createJsonLogSink({ stream, now: () => WINTER });
    sink({ pluginId: 'acme.node', pluginVersion: '2.0.0', level: 'warn', message: 'a\nb' });
    sink({ pluginId: 'acme.node', level: 'warn', message: '3 dropped', dropped: 3 });
    expect(text).toBe(
      '{"time":"2026-12-01T12:00:00.000Z","level":"warn","plugin_id":"acme.node","plugin_version":"2.0.0","message":"a\\nb"}\n' +
        '{"time":"2026-12-01T12:00:00.000Z","level":"warn","plugin_id":"acme.node","message":"3 dropped","dropped":3}\n',
    );
    expect(parseJsonLogLines(text)).toEqual([
      { pluginId: 'acme.node', pluginVersion: '2.0.0', level: 'warn', message: 'a\nb' },
      { pluginId: 'acme.node', level: 'warn', message: '3 dropped', dropped: 3 },
    ]);
  });
});

describe('createEventEmitterBus', () => {
  it('reports a throwing listener instead of failing the guest when asked to', () => {
    const errors: string[] = [];
    const bus = createEventEmitterBus({ onListenerError: (error) => errors.push((error as Error).message) });
    bus.emitter.on('plugin_event', () => {
      throw new Error('listener broke');
    });
    bus.emit({ pluginId: 'acme.node', payload: 1 });
    expect(errors).toEqual(['listener broke']);
    const strict = createEventEmitterBus();
    strict.emitter.on('plugin_event', () => {
      throw new Error('listener broke');
    });
    expect(() => strict.emit({ pluginId: 'acme.node', payload: 1 })).toThrow('listener broke');
  });
});

describe('createBasicBundles', () => {
  it('wires every basic function to the Node services', () => {
    const stream = new PassThrough();
    const emitter = new EventEmitter();
    const received: EmittedEvent[] = [];
    emitter.on('plugin_event', (event: EmittedEvent) => received.push(event));
    const basics = createBasicBundles({
      log: { stream },
      clock: { timeZone: 'Asia/Kathmandu' },
      events: { emitter },
      now: () => WINTER,
      runtimeContext: { provider: () => ({ workspace_id: 'w', token: 't' }) },
    });
    const { bundle } = basics;
    expect(Object.keys(bundle).sort()).toEqual([...capabilityFunctionNames('basics')].sort());
    expect(bundle.host_log!({ level: 'info', message: 'hi' }, context)).toBe('');
    expect(parseJsonLogLines(String(stream.read()))).toEqual([
      { pluginId: 'acme.node', pluginVersion: '2.0.0', level: 'info', message: 'hi' },
    ]);
    expect(bundle.host_get_now!({}, context)).toBe('2026-12-01T17:45:00+05:45');
    expect(bundle.host_emit_event!({ event_type: 'x', payload: null }, context)).toBe('');
    expect(received).toEqual([
      { pluginId: 'acme.node', pluginVersion: '2.0.0', payload: { event_type: 'x', payload: null } },
    ]);
    expect(bundle.host_get_runtime_context!({}, context)).toBe('{"workspace_id":"w"}');
    const token = basics.cancellation.create();
    basics.cancellation.cancel(token);
    expect(bundle.host_is_cancelled!({ token }, context)).toBe('{"cancelled":true}');
  });
});
