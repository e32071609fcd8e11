import { createPluginHarness } from '@plinth/testkit/harness';
import { describe, expect, it } from 'vitest';
import { WAT_BUFFER_HELPERS, WAT_KERNEL_IMPORTS, watStrings } from './__fixtures__/wat-guest-kit.js';
import { compile, wsGuest } from './__fixtures__/ws-guest.js';

// The harness's WebSocket and WASI twins, driven through real guests: the bundles, the lanes and the
// deliveries to the guest's exports in between.

/** A protocol guest whose every command runs one fixed host_run_wasi_module request and answers the raw answer. */
function wasiGuest(id: string, request: object): string {
  const { data, ref } = watStrings({
    manifest: JSON.stringify({
      protocol_version: 1,
      id,
      name: 'WASI caller',
      version: '1.0.0',
      description: 'Test guest for host_run_wasi_module.',
      capabilities: ['custom_commands'],
      commands: ['run'],
    }),
    request: JSON.stringify(request),
    responseStart: '{"success":true,"data":',
  });
  return `(module
  ${WAT_KERNEL_IMPORTS}
  (import "extism:host/user" "host_run_wasi_module" (func $run_wasi (param i64) (result i64)))
  ${data}
  ${WAT_BUFFER_HELPERS}
  (func (export "manifest") (result i32)
    (call $emit ${ref('manifest')})
    (i32.const 0))
  (func (export "handle_command") (result i32)
    (local $answer i64)
    (local.set $answer (call $run_wasi (call $block ${ref('request')})))
    (global.set $out (i32.const 16384))
    (call $put ${ref('responseStart')}) (call $put_block (local.get $answer)) (call $putb (i32.const 125))
    (call $emit (i32.const 16384) (i32.sub (global.get $out) (i32.const 16384)))
    (i32.const 0))
)`;
}

describe('the harness WebSocket twin', () => {
  it('connects, delivers frames to the guest, sees its answers, reconnects on a drop and disconnects', async () => {
    const id = 'acme.ws-echo';
    const harness = await createPluginHarness({
      wasm: await compile(wsGuest(id, 'wss://sync.test/sync')),
      policy: { http_requests: { include: ['sync.test'] } },
    });
    try {
      expect(await harness.command('connect')).toEqual({ success: true, data: { ok: true } });
      await harness.ws.idle();
      const first = harness.ws.server.latest();
      expect(first.path).toBe('/sync?workspace_id=ws-1');
      expect(first.headers['authorization']).toBe('Bearer secret-token');
      expect(harness.ws.state()).toBe('open');

      first.send('hello');
      first.send(new Uint8Array([1, 2]));
      await harness.ws.idle();
      expect(first.received).toEqual(['echo:hello']);
      expect(harness.logs.map((entry) => entry.message)).toEqual([
        'on_connected:{"workspace_id":"ws-1","write_to_disk":true}',
        'handle_text_message:hello',
        'handle_binary_message:\\u0001\\u0002',
      ]);

      first.drop();
      await harness.ws.idle();
      expect(harness.ws.timers.pending()).toEqual([1_000]);
      expect(harness.ws.state()).toBe('connecting');
      harness.ws.timers.fireNext();
      await harness.ws.idle();
      expect(harness.ws.server.sockets).toHaveLength(2);
      expect(harness.ws.state()).toBe('open');

      expect(await harness.command('disconnect')).toEqual({ success: true, data: { ok: true } });
      await harness.ws.idle();
      expect(harness.ws.server.latest().closeCode).toBe(1000);
      expect(harness.logs.map((entry) => entry.message).slice(3)).toEqual([
        'on_disconnected:',
        'on_connected:{"workspace_id":"ws-1","write_to_disk":true}',
        'on_disconnected:',
      ]);
      expect(harness.hostCalls.filter((call) => call.function === 'host_ws_request')).toHaveLength(3);
    } finally {
      await harness.close();
    }
  });

  it('refuses a server the policy does not grant, before dialing', async () => {
    const harness = await createPluginHarness({
      wasm: await compile(wsGuest('acme.ws-echo', 'wss://elsewhere.test/sync')),
      policy: { http_requests: { include: ['sync.test'] } },
    });
    try {
      const response = await harness.command('connect');
      expect(response).toMatchObject({ success: true, data: { ok: false } });
      expect(harness.ws.server.sockets).toEqual([]);
      expect(harness.ws.state()).toBe('none');
    } finally {
      await harness.close();
    }
  });
});

describe('the harness WASI twin', () => {
  const request = { module_key: 'tools/echo.wasm', stdin: 'aGk=', args: ['-v'] };

  it('plays a module scripted by key, without its bytes in storage, on the isolated lane', async () => {
    const harness = await createPluginHarness({
      wasm: await compile(wasiGuest('acme.wasi-caller', request)),
      wasiModules: [{ module: 'tools/echo.wasm', respond: (run) => ({ stdout: run.stdin, stderr: 'done' }) }],
    });
    try {
      expect(await harness.command('run')).toEqual({
        success: true,
        data: { exit_code: 0, stdout: 'aGk=', stderr: 'done' },
      });
      expect(harness.wasi.runs.map((run) => [run.moduleKey, run.args])).toEqual([
        ['tools/echo.wasm', ['tools/echo.wasm', '-v']],
      ]);
    } finally {
      await harness.close();
    }
  });

  it('answers an unscripted module missing from storage, and a denial, in the W shape', async () => {
    const wasm = await compile(wasiGuest('acme.wasi-caller', request));
    const missing = await createPluginHarness({ wasm, wasiModules: [] });
    const denied = await createPluginHarness({
      wasm,
      wasiModules: [{ module: 'tools/echo.wasm', respond: {} }],
      policy: { plugin_storage: { include: [], exclude: ['all'] } },
    });
    try {
      const message = 'host_run_wasi_module: module "tools/echo.wasm" not found in plugin storage';
      expect(await missing.command('run')).toEqual({
        success: true,
        data: { exit_code: -1, stdout: '', stderr: message, error: message },
      });
      expect(await denied.command('run')).toMatchObject({
        data: { exit_code: -1, error: expect.stringMatching(/plugin_storage on 'tools\/echo\.wasm'/) },
      });
      expect(denied.wasi.runs).toEqual([]);
    } finally {
      await Promise.all([missing.close(), denied.close()]);
    }
  });
});
