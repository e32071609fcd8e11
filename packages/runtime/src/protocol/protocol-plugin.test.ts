import { readFileSync } from 'node:fs';
import { PlinthError, type JsonValue } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { scriptedGuest, testLane, type ScriptedExport, type SpyLane } from './__fixtures__/scripted-guest.js';
import { commandErrorKind } from './guest-output.js';
import { openProtocolPlugin, ProtocolPlugin } from './protocol-plugin.js';
import type { ProtocolLogEntry } from './protocol-log.js';

const guest = (path: string) =>
  readFileSync(new URL(`../../../guests/corpus/${path}/plugin.wasm`, import.meta.url));

const MANIFEST = JSON.stringify({
  id: 'acme.scripted',
  name: 'Scripted',
  version: '1.2.3',
  description: 'A scripted test guest.',
  capabilities: ['custom_commands'],
  commands: ['ping', 'listed-only'],
});

async function open(lane: SpyLane, storedConfig?: Record<string, string>) {
  const logs: ProtocolLogEntry[] = [];
  const plugin = await ProtocolPlugin.open({
    lane,
    hostAppVersion: '1.0.0',
    initContext: { workspace_root: '/w', workspace_id: 'ws-1' },
    log: (entry) => logs.push(entry),
    storedConfig,
  });
  return { plugin, logs };
}

async function scripted(exports: Record<string, ScriptedExport>, limits = {}) {
  const lane = await testLane(await scriptedGuest({ manifest: { output: MANIFEST }, ...exports }), {
    limits,
  });
  return { lane, ...(await open(lane, { mode: 'x' })) };
}

/** `levels` arrays (or `{"a": …}` objects) around 1, built without recursion. */
function nested(levels: number, kind: 'array' | 'object' = 'array'): JsonValue {
  let value: JsonValue = 1;
  for (let i = 0; i < levels; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}
const nestedText = (levels: number): string => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

async function rejection(promise: Promise<unknown>): Promise<PlinthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!PlinthError.isInstance(error)) throw new Error(`expected a PlinthError, got ${String(error)}`);
  return error;
}

/** Two commands in a row fail with invalid_output naming the hostile guest; the plugin stays usable. */
async function expectInvalidOutputTwice(lane: SpyLane, name: string, command: string, message: RegExp) {
  const { plugin } = await open(lane);
  for (let attempt = 0; attempt < 2; attempt++) {
    const error = await rejection(plugin.command(command));
    expect(error.code).toBe('invalid_output');
    expect(error.message).toMatch(
      new RegExp(`^plugin hostile\\.${name.slice(8)}@0\\.1\\.0 \\(handle_command\\) `),
    );
    expect(error.message).toMatch(message);
    expect(error.context).toEqual({
      pluginId: `hostile.${name.slice(8)}`,
      pluginVersion: '0.1.0',
      exportName: 'handle_command',
    });
  }
  await plugin.shutdown();
}

describe('command()', () => {
  it.each([
    [
      'hostile-output-invalid-json',
      'garbage',
      /returned an invalid output: Invalid CommandResponse: at \(root\): not valid JSON/,
    ],
    [
      'hostile-output-invalid-utf8',
      'bad_utf8',
      /returned 28 bytes that are not valid UTF-8; a CommandResponse is required$/,
    ],
    ['hostile-no-output', 'silent', /set no output; a CommandResponse is required$/],
  ])(
    '%s: invalid_output naming plugin and export; the plugin stays usable',
    async (name, command, message) => {
      // Once through a lane that decodes for the protocol layer, once through one that only has `call`.
      for (const decodes of [true, false]) {
        const lane = await testLane(guest(`hostile/${name}`), { decodes });
        expect(lane.callDecoded !== undefined).toBe(decodes);
        await expectInvalidOutputTwice(lane, name, command, message);
      }
    },
  );

  it('answers the same through a lane that decodes and one that only has call', async () => {
    const output = '{"success":true,"data":"pong"}';
    for (const decodes of [true, false]) {
      const lane = await testLane(
        await scriptedGuest({ manifest: { output: MANIFEST }, handle_command: { output } }),
        { decodes },
      );
      const { plugin } = await open(lane);
      expect(await plugin.command('ping')).toStrictEqual({ success: true, data: 'pong' });
      expect(lane.inputs.at(-1)).toBe('{"command":"ping","params":null}');
      await plugin.shutdown();
    }
  });

  it('an undeclared command is not_handled without calling the guest', async () => {
    const lane = await testLane(guest('hostile/hostile-no-output'));
    const { plugin } = await open(lane);
    const before = [...lane.calls];
    const error = await rejection(plugin.command('format_disk', { all: true }));
    expect(error.code).toBe('not_handled');
    expect(error.message).toBe(
      'plugin hostile.no-output@0.1.0 (handle_command) does not handle command "format_disk": the manifest does not list it in commands',
    );
    expect(lane.calls).toEqual(before);
    expect(plugin.handles('format_disk')).toBe(false);
    expect(plugin.handles('silent')).toBe(true);
    await plugin.shutdown();
  });

  it('params nested 100,000 levels deep are invalid_params without calling the guest; the next call works', async () => {
    const output = '{"success":true,"data":"pong"}';
    const { plugin, lane } = await scripted({ handle_command: { output } });
    const before = [...lane.calls];
    const error = await rejection(plugin.command('ping', nested(100_000, 'object')));
    expect(error.code).toBe('invalid_params');
    expect(error.message).toBe(
      'plugin acme.scripted@1.2.3 (handle_command) command "ping": params nested deeper than 256 levels: level 257 opens at $.a.a.a.a.a.a….a.a.a',
    );
    expect(error.context).toEqual({
      pluginId: 'acme.scripted',
      pluginVersion: '1.2.3',
      exportName: 'handle_command',
      limit: 'MAX_JSON_DEPTH',
    });
    expect(lane.calls).toEqual(before);
    // At the limit the params go through, and the plugin serves on.
    expect(await plugin.command('ping', nested(256))).toEqual({ success: true, data: 'pong' });
    expect(lane.inputs.at(-1)).toBe(`{"command":"ping","params":${nestedText(256)}}`);
    await plugin.shutdown();
  });

  it('a response whose data nests deeper than 256 levels is invalid_output; at the limit it is read', async () => {
    const response = (levels: number) => `{"success":true,"data":${nestedText(levels)}}`;
    const deep = await scripted({ handle_command: { output: response(257) } });
    const error = await rejection(deep.plugin.command('ping'));
    expect(error.code).toBe('invalid_output');
    expect(error.message).toBe(
      'plugin acme.scripted@1.2.3 (handle_command) returned an invalid output: Invalid CommandResponse: at (root): nested deeper than 257 levels: 258 levels; level 258 opens at offset 279',
    );
    const atLimit = await scripted({ handle_command: { output: response(256) } });
    expect(await atLimit.plugin.command('ping')).toEqual({ success: true, data: nested(256) });
    await Promise.all([deep.plugin.shutdown(), atLimit.plugin.shutdown()]);
  });

  it('a listed command without the custom_commands capability is not_handled', async () => {
    const manifest = JSON.stringify({ ...JSON.parse(MANIFEST), capabilities: [] });
    const lane = await testLane(
      await scriptedGuest({ manifest: { output: manifest }, handle_command: { trap: true } }),
    );
    const { plugin } = await open(lane);
    const error = await rejection(plugin.command('ping'));
    expect(error.code).toBe('not_handled');
    expect(error.message).toContain('the manifest does not declare the custom_commands capability');
    expect(lane.calls).toEqual(['manifest']);
    await plugin.shutdown();
  });

  it('a listed command with no handle_command export is not_handled', async () => {
    const { plugin } = await scripted({});
    const error = await rejection(plugin.command('ping'));
    expect(error.code).toBe('not_handled');
    expect(error.message).toContain('the module does not export handle_command');
    await plugin.shutdown();
  });

  it.each([
    ['permission_denied', 'permission_denied'],
    ['config_error', 'config_error'],
    ['invalid_params', 'command_error'],
  ] as const)('error_code %s is surfaced as a response of kind %s', async (code, kind) => {
    const answer = { success: false, error: 'no', error_code: code };
    const { plugin } = await scripted({ handle_command: { output: JSON.stringify(answer) } });
    const response = await plugin.command('ping');
    expect(response).toEqual(answer);
    expect(commandErrorKind(response)).toBe(kind);
    expect(commandErrorKind({ success: false })).toBe('command_error');
    await plugin.shutdown();
  });

  it('a response of the wrong shape is invalid_output listing the field problem', async () => {
    const { plugin } = await scripted({ handle_command: { output: '{"success":"yes"}' } });
    const error = await rejection(plugin.command('ping'));
    expect(error.code).toBe('invalid_output');
    expect(error.message).toBe(
      'plugin acme.scripted@1.2.3 (handle_command) returned an invalid output: Invalid CommandResponse: at success: expected boolean, got a string ("yes")',
    );
    await plugin.shutdown();
  });

  it('guest errors and traps propagate as the lane typed them', async () => {
    const failing = await scripted({ handle_command: { error: 'boom' } });
    expect(await rejection(failing.plugin.command('ping'))).toMatchObject({
      code: 'guest_error',
      message: 'plugin acme.scripted@1.2.3 (handle_command) failed: boom',
    });
    const trapping = await scripted({ handle_command: { trap: true } });
    expect((await rejection(trapping.plugin.command('ping'))).code).toBe('trap');
    await Promise.all([failing.plugin.shutdown(), trapping.plugin.shutdown()]);
  });

  it('sends the protocol inputs: config, InitContext, {command, params}, events, {} to shutdown', async () => {
    const { plugin, lane } = await scripted({
      set_config: { silent: true },
      init: { silent: true },
      handle_command: { output: '{"success":true}' },
      on_event: { silent: true },
      shutdown: { silent: true },
    });
    await plugin.command('ping');
    await plugin.command('ping', { n: [1, 'Zoë'] });
    await plugin.event({ event_type: 'file_moved', payload: { old_path: 'a.md', new_path: 'b.md' } });
    const raw = await plugin.callRaw('handle_command', Uint8Array.of(0x7b, 0x7d));
    expect(raw.output && new TextDecoder().decode(raw.output)).toBe('{"success":true}');
    await plugin.shutdown();
    expect(lane.calls.map((call, i) => [call, lane.inputs[i]])).toEqual([
      ['manifest', ''],
      ['set_config', '{"mode":"x"}'],
      ['init', '{"workspace_root":"/w","workspace_id":"ws-1"}'],
      ['handle_command', '{"command":"ping","params":null}'],
      ['handle_command', '{"command":"ping","params":{"n":[1,"Zoë"]}}'],
      ['on_event', '{"event_type":"file_moved","payload":{"old_path":"a.md","new_path":"b.md"}}'],
      ['handle_command', '{}'],
      ['shutdown', '{}'],
    ]);
  });
});

describe('the load sequence tolerates guest failures but not limits', () => {
  it('set_config and init failures are logged with plugin, version and export; the load goes on', async () => {
    const { plugin, lane, logs } = await scripted({
      set_config: { error: 'bad config' },
      init: { trap: true },
      handle_command: { output: '{"success":true,"data":"pong"}' },
    });
    expect(lane.calls).toEqual(['manifest', 'set_config', 'init']);
    expect(
      logs.map((l) => [l.level, l.message, l.pluginId, l.pluginVersion, l.exportName, l.error?.code]),
    ).toEqual([
      [
        'error',
        'plugin acme.scripted@1.2.3 (set_config) failed: bad config; ignored',
        'acme.scripted',
        '1.2.3',
        'set_config',
        'guest_error',
      ],
      [
        'error',
        expect.stringMatching(/^plugin acme\.scripted@1\.2\.3 \(init\) trapped: .*unreachable.*; ignored$/),
        'acme.scripted',
        '1.2.3',
        'init',
        'trap',
      ],
    ]);
    expect(plugin.loadReconcile).toBeNull();
    expect(await plugin.command('ping')).toEqual({ success: true, data: 'pong' });
    await plugin.shutdown();
  });

  it('a limit error in init fails the load and closes the lane', async () => {
    const lane = await testLane(
      await scriptedGuest({ manifest: { output: MANIFEST }, init: { output: 'x'.repeat(1024) } }),
      { limits: { outputMaxBytes: 512 } },
    );
    const error = await rejection(open(lane));
    expect(error.code).toBe('output_too_large');
    expect(error.context).toMatchObject({
      pluginId: 'acme.scripted',
      exportName: 'init',
      limit: 'outputMaxBytes',
    });
    expect(lane.closed).toBe(true);
  });
});

describe('events, config and shutdown', () => {
  it('an on_event failure is logged and returned, never thrown', async () => {
    const { plugin, logs } = await scripted({ on_event: { error: 'cannot' } });
    const error = await plugin.event({ event_type: 'file_saved', payload: { path: 'a.md' } });
    expect(error).toMatchObject({ code: 'guest_error', context: { exportName: 'on_event' } });
    expect(logs.at(-1)?.message).toBe('plugin acme.scripted@1.2.3 (on_event) failed: cannot; ignored');
    await plugin.shutdown();
  });

  it('an event to a guest without on_event is dropped silently', async () => {
    const { plugin, lane } = await scripted({});
    expect(await plugin.event({ event_type: 'file_saved', payload: { path: 'a.md' } })).toBeNull();
    expect(lane.calls).not.toContain('on_event');
    await plugin.shutdown();
  });

  it('setConfig throws the guest failure and invalid reconcile output', async () => {
    const failing = await scripted({ set_config: { error: 'nope' } });
    expect((await rejection(failing.plugin.setConfig({ a: 1 }))).code).toBe('guest_error');
    const invalid = await scripted({ set_config: { output: '{"migrations":"all"}' } });
    const error = await rejection(invalid.plugin.setConfig({ a: 1 }));
    expect(error.code).toBe('invalid_output');
    expect(error.message).toContain(
      '(set_config) returned an invalid output: Invalid ConfigReconcile: at migrations',
    );
    await Promise.all([failing.plugin.shutdown(), invalid.plugin.shutdown()]);
  });

  it('setConfig: empty output is {}; a permission request is returned, not applied', async () => {
    const request = {
      permission_request: { permissions: { read_files: { include: ['all'], exclude: [] } }, reasons: {} },
    };
    const silent = await scripted({ set_config: { silent: true } });
    expect(await silent.plugin.setConfig({ a: 1 })).toEqual({});
    const asking = await scripted({ set_config: { output: JSON.stringify(request) } });
    expect(asking.plugin.loadReconcile).toEqual(request);
    expect(await asking.plugin.setConfig(null)).toEqual(request);
    await Promise.all([silent.plugin.shutdown(), asking.plugin.shutdown()]);
  });

  it('getConfig: an invalid get_config output is invalid_output', async () => {
    const array = await scripted({ get_config: { output: '[1]' } });
    expect((await rejection(array.plugin.getConfig())).code).toBe('invalid_output');
    const silent = await scripted({ get_config: { silent: true } });
    expect((await rejection(silent.plugin.getConfig())).message).toBe(
      'plugin acme.scripted@1.2.3 (get_config) set no output; a config object is required',
    );
    await Promise.all([array.plugin.shutdown(), silent.plugin.shutdown()]);
  });

  it('a shutdown failure is logged and the lane is still closed', async () => {
    const { plugin, lane, logs } = await scripted({ shutdown: { trap: true } });
    await plugin.shutdown();
    expect(lane.closed).toBe(true);
    expect(logs.at(-1)).toMatchObject({ level: 'error', exportName: 'shutdown', error: { code: 'trap' } });
  });

  it('openProtocolPlugin is the function form of ProtocolPlugin.open', async () => {
    const lane = await testLane(await scriptedGuest({ manifest: { output: MANIFEST } }));
    const plugin = await openProtocolPlugin({
      lane,
      hostAppVersion: '1.0.0',
      initContext: { workspace_root: null },
    });
    expect(plugin).toBeInstanceOf(ProtocolPlugin);
    await plugin.shutdown();
  });
});
