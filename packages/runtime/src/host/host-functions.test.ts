import { readFileSync } from 'node:fs';
import createPlugin from '@extism/extism';
import { HOST_FUNCTION_NAMESPACE, HOST_FUNCTIONS } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { wat } from '../__fixtures__/wat.js';
import { combineBundles, type HostBundle } from '@plinth/host-kit';
import { createHostFunctions, type HostCallRecord } from './host-functions.js';
import { hostCallRecord } from '@plinth/host-kit/engine';

const guest = (path: string) =>
  readFileSync(new URL(`../../../guests/corpus/${path}/plugin.wasm`, import.meta.url));
const command = (name: string, params: unknown = null) => JSON.stringify({ command: name, params });

async function load(source: string | Uint8Array, bundle: HostBundle, maxHostCallsPerCall = 100) {
  const records: HostCallRecord[] = [];
  const errors: string[] = [];
  const { functions, state } = createHostFunctions({
    bundle,
    maxHostCallsPerCall,
    onHostCall: (record) => records.push(record),
    onHandlerError: (error, name) => errors.push(`${name}: ${(error as Error).message}`),
  });
  const plugin = await createPlugin(
    { wasm: [{ data: typeof source === 'string' ? guest(source) : source }] },
    { useWasi: false, functions: { [HOST_FUNCTION_NAMESPACE]: functions } },
  );
  const call = async (input: string) => {
    state.begin({ pluginId: 'test.plugin', exportName: 'handle_command' });
    return JSON.parse((await plugin.call('handle_command', input))?.text() ?? 'null') as {
      success: boolean;
      data?: unknown;
      error?: string;
    };
  };
  return { plugin, call, records, errors, state };
}

describe('host functions for a guest', () => {
  it('registers every catalogue function and serves a bundle with decoded requests', async () => {
    const seen: unknown[] = [];
    const { plugin, call, records } = await load('golden/c-protocol', {
      host_log: (request, context) => {
        seen.push({ request, plugin: context.pluginId, export: context.exportName });
        return '';
      },
      host_get_timestamp: () => '1234',
    });
    expect(Object.keys(createHostFunctions({ bundle: {}, maxHostCallsPerCall: 1 }).functions)).toEqual(
      HOST_FUNCTIONS.map((spec) => spec.name),
    );
    expect(await call(command('greet', { name: 'Zoë' }))).toEqual({ success: true, data: 'Hello, Zoë!' });
    expect(seen).toEqual([
      {
        request: { level: 'info', message: 'greeting Zoë' },
        plugin: 'test.plugin',
        export: 'handle_command',
      },
    ]);
    expect(await call(command('time'))).toEqual({ success: true, data: 1234 });
    expect(records.map((r) => [r.function, r.outcome])).toEqual([
      ['host_log', 'ok'],
      ['host_get_timestamp', 'ok'],
    ]);
    await plugin.close();
  });

  it('answers malformed input and bad base64 in the failure shape, never trapping', async () => {
    const { plugin, call, records } = await load('hostile/hostile-input-malformed', {
      host_read_file: () => 'should not be reached',
      host_write_file: () => '',
      host_storage_set: () => '',
    });
    const read = await call(command('read_file_truncated'));
    expect(JSON.parse(read.data as string)).toEqual({
      error: expect.stringMatching(
        /^host_read_file: Invalid host_read_file request: at \(root\): not valid JSON/,
      ),
    });
    const write = await call(command('write_file_not_json'));
    expect(write.data).toMatch(/^host_write_file: Invalid host_write_file request/);
    const base64 = await call(command('storage_set_bad_base64'));
    expect(base64.data).toMatch(/^host_storage_set: .*data: must be standard base64/);
    expect(records.every((r) => r.outcome === 'invalid_input')).toBe(true);
    await plugin.close();
  });

  it('answers "not available" for a function no bundle provides', async () => {
    const { plugin, call } = await load('golden/c-protocol', { host_log: () => '' });
    // host_get_timestamp has no failure shape: its neutral answer is "0".
    expect(await call(command('time'))).toEqual({ success: true, data: 0 });
    await plugin.close();
  });

  it('turns a throwing or async handler into the failure shape and reports it', async () => {
    const { plugin, call, errors } = await load('hostile/hostile-fs-escape', {
      host_read_file: () => {
        throw new Error('disk on fire');
      },
      host_list_files: (() => Promise.resolve('[]')) as never,
    });
    const read = await call(command('read_parent'));
    expect(JSON.parse(read.data as string)).toEqual({ error: 'host_read_file: internal error in the host' });
    const list = await call(command('list_root_escape'));
    expect(JSON.parse(list.data as string)).toEqual({ error: 'host_list_files: internal error in the host' });
    expect(errors).toEqual([
      'host_read_file: disk on fire',
      expect.stringContaining('host_list_files handler answered a promise'),
    ]);
    await plugin.close();
  });

  it('renders { failure } answers in the shape and enforces the host-call limit per call', async () => {
    const { plugin, call, state, records } = await load(
      'hostile/hostile-events-flood',
      { host_emit_event: () => '' },
      10,
    );
    const flood = await call(command('flood', { count: 25 }));
    expect(flood.data).toMatchObject({ calls: 25, non_empty: 15 });
    expect(state.hostCalls).toBe(25);
    expect(state.limitExceeded).toBe(true);
    expect(records.filter((r) => r.outcome === 'limit')).toHaveLength(15);
    // The next call starts a fresh count.
    await call(command('flood', { count: 5 }));
    expect(state.limitExceeded).toBe(false);
    await plugin.close();

    const failing = await load('golden/c-protocol', { host_log: () => ({ failure: 'log is full' }) });
    expect(await failing.call(command('greet', { name: 'a' }))).toEqual({ success: true, data: 'Hello, a!' });
    expect(failing.records[0]).toMatchObject({
      function: 'host_log',
      outcome: 'failure',
      output: 'host_log: log is full',
    });
    await failing.plugin.close();
  });
});

/**
 * A guest whose exports send a host function a request nested `levels` deep, built in guest memory:
 * `emit` sends `[[…1…]]` to host_emit_event, `command` sends it as the params of host_plugin_command.
 * Each answers what the host function answered.
 */
function deepRequestGuest(levels: number): Promise<Uint8Array> {
  const prefix = '{"plugin_id":"acme.other","command":"echo","params":';
  return wat(`(module
    (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
    (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
    (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
    (import "extism:host/env" "length" (func $length (param i64) (result i64)))
    (import "${HOST_FUNCTION_NAMESPACE}" "host_emit_event" (func $emit (param i64) (result i64)))
    (import "${HOST_FUNCTION_NAMESPACE}" "host_plugin_command" (func $command (param i64) (result i64)))
    (memory (export "memory") 1 1)
    (data (i32.const 0) ${JSON.stringify(prefix)})
    ;; prefixLen bytes from memory, then levels "[", a "1", levels "]", then "}" when closing
    (func $request (param $prefixLen i32) (param $closing i32) (result i64)
      (local $block i64) (local $at i64) (local $i i32)
      (local.set $block (call $alloc (i64.extend_i32_u (i32.add (i32.add (local.get $prefixLen) (local.get $closing))
        (i32.add (i32.const 1) (i32.mul (i32.const 2) (i32.const ${levels})))))))
      (local.set $at (local.get $block))
      (block $done (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $prefixLen)))
        (call $store_u8 (local.get $at) (i32.load8_u (local.get $i)))
        (local.set $at (i64.add (local.get $at) (i64.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
      (local.set $i (i32.const 0))
      (block $done (loop $open
        (br_if $done (i32.ge_u (local.get $i) (i32.const ${levels})))
        (call $store_u8 (local.get $at) (i32.const 0x5b))
        (local.set $at (i64.add (local.get $at) (i64.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $open)))
      (call $store_u8 (local.get $at) (i32.const 0x31))
      (local.set $at (i64.add (local.get $at) (i64.const 1)))
      (local.set $i (i32.const 0))
      (block $done (loop $close
        (br_if $done (i32.ge_u (local.get $i) (i32.const ${levels})))
        (call $store_u8 (local.get $at) (i32.const 0x5d))
        (local.set $at (i64.add (local.get $at) (i64.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $close)))
      (if (local.get $closing) (then (call $store_u8 (local.get $at) (i32.const 0x7d))))
      (local.get $block))
    (func $answer (param $handle i64)
      (call $output_set (local.get $handle) (call $length (local.get $handle))))
    (func (export "emit") (result i32)
      (call $answer (call $emit (call $request (i32.const 0) (i32.const 0))))
      (i32.const 0))
    (func (export "command") (result i32)
      (call $answer (call $command (call $request (i32.const ${prefix.length}) (i32.const 1))))
      (i32.const 0))
  )`);
}

describe('requests nested too deep', () => {
  it('answer the failure shape before any handler runs, never trapping, and the guest calls on', async () => {
    const handled: string[] = [];
    const bundle: HostBundle = {
      host_emit_event: () => (handled.push('host_emit_event'), ''),
      host_plugin_command: () => (handled.push('host_plugin_command'), '{"success":true,"data":null}'),
    };
    const { plugin, records, state } = await load(await deepRequestGuest(100_000), bundle);
    const run = async (name: string) => {
      state.begin({ pluginId: 'test.plugin', exportName: name });
      return (await plugin.call(name, ''))?.text();
    };
    const tooDeep = 'at (root): nested deeper than 256 levels:';
    expect(await run('emit')).toBe(
      `host_emit_event: Invalid host_emit_event request: ${tooDeep} 100000 levels; level 257 opens at offset 256`,
    );
    // The request object is one level; its params open level 257 at 52 + 255.
    expect(JSON.parse((await run('command')) ?? '')).toEqual({
      success: false,
      error: `host_plugin_command: Invalid host_plugin_command request: ${tooDeep} 100001 levels; level 257 opens at offset 307`,
    });
    expect(handled).toEqual([]);
    expect(records.map((r) => [r.function, r.outcome])).toEqual([
      ['host_emit_event', 'invalid_input'],
      ['host_plugin_command', 'invalid_input'],
    ]);
    await plugin.close();

    // At the limit the same guest reaches the handlers.
    const atLimit = await load(await deepRequestGuest(255), bundle);
    atLimit.state.begin({ pluginId: 'test.plugin', exportName: 'command' });
    expect((await atLimit.plugin.call('command', ''))?.text()).toBe('{"success":true,"data":null}');
    expect(handled).toEqual(['host_plugin_command']);
    await atLimit.plugin.close();
  });
});

describe('combineBundles', () => {
  it('merges bundles and refuses a function provided twice', () => {
    const a: HostBundle = { host_log: () => '' };
    const b: HostBundle = { host_get_now: () => '2026-01-01T00:00:00+00:00' };
    expect(Object.keys(combineBundles(a, b))).toEqual(['host_log', 'host_get_now']);
    expect(() => combineBundles(a, { host_log: () => '' })).toThrow(
      'host function host_log is provided by two bundles',
    );
  });
});

describe('host-call records', () => {
  it('never carry a secret value, stored or read back', () => {
    const set = hostCallRecord('host_secret_set', '{"key":"token","value":"s3cr3t"}', {
      answer: '',
      outcome: 'ok',
    });
    expect(set).toEqual({
      function: 'host_secret_set',
      input: '{"key":"token","value":"[redacted]"}',
      output: '',
      outcome: 'ok',
    });
    const get = hostCallRecord('host_secret_get', '{"key":"token"}', {
      answer: '{"value":"s3cr3t"}',
      outcome: 'ok',
    });
    expect(get.output).toBe('{"value":"[redacted]"}');
    expect(JSON.stringify([set, get])).not.toContain('s3cr3t');
    // An absent secret answers "" and a refused one its failure: both say nothing secret and stay as they are.
    expect(hostCallRecord('host_secret_get', '{"key":"x"}', { answer: '', outcome: 'ok' }).output).toBe('');
    expect(
      hostCallRecord('host_storage_set', '{"key":"k","data":"dg=="}', { answer: '', outcome: 'ok' }).input,
    ).toBe('{"key":"k","data":"dg=="}');
  });
});
