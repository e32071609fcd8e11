import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeHost, type NodeHost, type NodeHostLogEntry } from '@plinth/host-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import loadWabt from 'wabt';
import { WebSocketServer, type WebSocket } from 'ws';
import { WAT_BUFFER_HELPERS, WAT_KERNEL_IMPORTS, watStrings } from './__fixtures__/wat-guest-kit.js';

async function compile(source: string): Promise<Uint8Array> {
  const module = (await loadWabt()).parseWat('ws-guest.wat', source);
  try {
    module.resolveNames();
    module.validate();
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/**
 * A protocol guest over host_ws_request. Commands `connect` and `disconnect` (told apart by the first
 * letter of the command name, at a fixed offset of the host's CommandRequest encoding) send a fixed
 * request and answer the host's raw answer as `data`. `on_connected`, `handle_text_message`,
 * `handle_binary_message` and `on_disconnected` host_log "<export>:<input>"; a text frame is also echoed
 * back to the server as "echo:<text>". With `trapOnText`, handle_text_message traps instead.
 */
function wsGuest(id: string, serverUrl: string, options: { trapOnText?: boolean } = {}): string {
  const texts = {
    manifest: JSON.stringify({
      protocol_version: 1,
      id,
      name: 'WebSocket echo',
      version: '1.0.0',
      description: 'Test guest for host_ws_request.',
      capabilities: ['custom_commands'],
      commands: ['connect', 'disconnect'],
    }),
    connect: JSON.stringify({
      type: 'connect',
      server_url: serverUrl,
      workspace_id: 'ws-1',
      auth_token: 'secret-token',
    }),
    disconnect: '{"type":"disconnect"}',
    responseStart: '{"success":true,"data":',
    logStart: '{"level":"info","message":"',
    sendStart: '{"type":"send_text","text":"echo:',
    end: '"}',
    onConnected: 'on_connected',
    text: 'handle_text_message',
    binary: 'handle_binary_message',
    onDisconnected: 'on_disconnected',
  };
  const { data, ref } = watStrings(texts);
  const logExport = (name: string, label: keyof typeof texts, echo = false) => `
  (func (export "${name}") (result i32)
    (local $n i32)
    (local.set $n (call $read_input))
    (global.set $out (i32.const 16384))
    (call $put ${ref('logStart')}) (call $put ${ref(label)}) (call $putb (i32.const 58))
    (call $put_escaped (i32.const 4096) (local.get $n)) (call $put ${ref('end')})
    (drop (call $host_log (call $block (i32.const 16384) (i32.sub (global.get $out) (i32.const 16384)))))
    ${
      echo
        ? `(global.set $out (i32.const 16384))
    (call $put ${ref('sendStart')}) (call $put_escaped (i32.const 4096) (local.get $n)) (call $put ${ref('end')})
    (drop (call $host_ws_request (call $block (i32.const 16384) (i32.sub (global.get $out) (i32.const 16384)))))`
        : ''
    }
    (i32.const 0))`;
  return `(module
  ${WAT_KERNEL_IMPORTS}
  (import "extism:host/user" "host_log" (func $host_log (param i64) (result i64)))
  (import "extism:host/user" "host_ws_request" (func $host_ws_request (param i64) (result i64)))
  ${data}
  ${WAT_BUFFER_HELPERS}
  (func $hex (param $d i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $d) (i32.const 10))
      (then (i32.add (local.get $d) (i32.const 48)))
      (else (i32.add (local.get $d) (i32.const 87)))))
  ;; as the inside of a JSON string: quote and backslash escaped, control bytes as \\u00XX
  (func $put_escaped (param $src i32) (param $n i32)
    (local $i i32) (local $b i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $b (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (if (i32.or (i32.eq (local.get $b) (i32.const 34)) (i32.eq (local.get $b) (i32.const 92)))
        (then (call $putb (i32.const 92)) (call $putb (local.get $b)))
        (else (if (i32.lt_u (local.get $b) (i32.const 32))
          (then
            (call $putb (i32.const 92)) (call $putb (i32.const 117))
            (call $putb (i32.const 48)) (call $putb (i32.const 48))
            (call $putb (call $hex (i32.shr_u (local.get $b) (i32.const 4))))
            (call $putb (call $hex (i32.and (local.get $b) (i32.const 15)))))
          (else (call $putb (local.get $b))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each))))

  (func (export "manifest") (result i32)
    (call $emit ${ref('manifest')})
    (i32.const 0))
  (func (export "handle_command") (result i32)
    (local $answer i64)
    (drop (call $read_input))
    ;; {"command":"<c|d>... : byte 12 is the command's first letter
    (if (i32.eq (i32.load8_u (i32.const 4108)) (i32.const 99))
      (then (local.set $answer (call $host_ws_request (call $block ${ref('connect')}))))
      (else (local.set $answer (call $host_ws_request (call $block ${ref('disconnect')})))))
    (global.set $out (i32.const 16384))
    (call $put ${ref('responseStart')}) (call $put_block (local.get $answer)) (call $putb (i32.const 125))
    (call $emit (i32.const 16384) (i32.sub (global.get $out) (i32.const 16384)))
    (i32.const 0))
  ${logExport('on_connected', 'onConnected')}
  ${
    options.trapOnText === true
      ? '(func (export "handle_text_message") (result i32) (unreachable))'
      : logExport('handle_text_message', 'text', true)
  }
  ${logExport('handle_binary_message', 'binary')}
  ${logExport('on_disconnected', 'onDisconnected')}
)`;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ECHO = 'acme.ws-echo';
const UNGRANTED = 'acme.ws-ungranted';
const TRAP = 'acme.ws-trap';

let server: WebSocketServer;
let serverUrl: string;
const sockets: WebSocket[] = [];
const upgrades: { url: string; authorization: string | undefined }[] = [];
const received: string[] = [];
const closes: number[] = [];

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  serverUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
  server.on('connection', (socket, request) => {
    sockets.push(socket);
    upgrades.push({ url: request.url ?? '', authorization: request.headers.authorization });
    socket.on('message', (data: Buffer) => received.push(data.toString()));
    socket.on('close', (code) => closes.push(code));
  });
});
afterAll(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe.each(['isolated', 'in-thread'] as const)(
  'host_ws_request through createNodeHost (%s lane; tests run in order)',
  { timeout: 60_000 },
  (lane) => {
    let base: string;
    let host: NodeHost;
    const logs: NodeHostLogEntry[] = [];
    const guestLines = (pluginId: string) =>
      logs.filter((entry) => entry.source === 'guest' && entry.pluginId === pluginId).map((e) => e.message);

    beforeAll(async () => {
      sockets.length = 0;
      upgrades.length = 0;
      received.length = 0;
      closes.length = 0;
      base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-e2e-node-host-ws-')));
      const workspace = join(base, 'workspace');
      const pluginsRoot = join(base, 'plugins');
      mkdirSync(workspace, { recursive: true });
      writeFileSync(
        join(base, 'policy.yaml'),
        [
          'plugins:',
          ...[ECHO, TRAP].map(
            (id) => `  ${id}: { permissions: { http_requests: { include: ["127.0.0.1"] } } }`,
          ),
        ].join('\n'),
      );
      for (const id of [ECHO, UNGRANTED, TRAP]) {
        mkdirSync(join(pluginsRoot, id), { recursive: true });
        const source = wsGuest(id, serverUrl, { trapOnText: id === TRAP });
        writeFileSync(join(pluginsRoot, id, 'plugin.wasm'), await compile(source));
      }
      host = await createNodeHost({
        workspaceRoot: workspace,
        pluginsRoot,
        policy: { file: join(base, 'policy.yaml') },
        hostAppVersion: '1.0.0',
        lane,
        watch: false,
        allowPrivateHosts: ['127.0.0.1'],
        limits: { timeoutMs: 10_000 },
        onLog: (entry) => logs.push(entry),
      });
      const { loaded, problems } = await host.start();
      expect(problems).toEqual([]);
      expect(loaded.map((plugin) => plugin.id)).toEqual([ECHO, TRAP, UNGRANTED]);
    });
    afterAll(async () => {
      await host.close();
      rmSync(base, { recursive: true, force: true });
    });

    it('connects a granted plugin; on_connected gets the workspace', async () => {
      expect(await host.command(ECHO, 'connect')).toEqual({ success: true, data: { ok: true } });
      await waitFor(() => guestLines(ECHO).length > 0, 'on_connected');
      expect(upgrades).toEqual([{ url: '/sync?workspace_id=ws-1', authorization: 'Bearer secret-token' }]);
      expect(guestLines(ECHO)).toEqual(['on_connected:{"workspace_id":"ws-1","write_to_disk":true}']);
    });

    it('delivers text and binary frames to the exports in order, and the guest answers', async () => {
      const [socket] = sockets;
      if (!socket) throw new Error('no server-side socket');
      socket.send('one');
      socket.send(Buffer.from('two'), { binary: true });
      socket.send('three "quoted"\n');
      await waitFor(() => received.length === 2, 'the echoes');
      expect(guestLines(ECHO).slice(1)).toEqual([
        'handle_text_message:one',
        'handle_binary_message:two',
        // host_log escapes control characters (log injection); the echo below carries the real newline.
        'handle_text_message:three "quoted"\\n',
      ]);
      expect(received).toEqual(['echo:one', 'echo:three "quoted"\n']);
    });

    it('refuses a plugin without http_requests for the server before dialing', async () => {
      expect(await host.command(UNGRANTED, 'connect')).toEqual({
        success: true,
        data: {
          ok: false,
          error: `host_ws_request: Permission not configured for plugin '${UNGRANTED}': http_requests on '${serverUrl}'. Add plugins.${UNGRANTED}.permissions.http_requests to the policy.`,
        },
      });
      expect(upgrades).toHaveLength(1);
      expect(guestLines(UNGRANTED)).toEqual([]);
    });

    it('stops the connection when the plugin is unloaded, without reconnecting', async () => {
      await host.uninstall(ECHO);
      await waitFor(() => closes.length === 1, 'the server to see the close');
      expect(closes).toEqual([1000]);
      expect(logs).toContainEqual(
        expect.objectContaining({
          source: 'host',
          pluginId: ECHO,
          message: `WebSocket to ${serverUrl}?workspace_id=ws-1 stopped`,
        }),
      );
      expect(logs.filter((entry) => entry.message.includes('reconnecting'))).toEqual([]);
      // on_disconnected had nobody to go to: the plugin was gone; no delivery failure is logged for it.
      expect(logs.filter((entry) => entry.level === 'error')).toEqual([]);
      expect(upgrades).toHaveLength(1);
    });

    it('logs failed deliveries, and a plugin quarantined by them loses its connection', async () => {
      expect(await host.command(TRAP, 'connect')).toEqual({ success: true, data: { ok: true } });
      await waitFor(() => guestLines(TRAP).length === 1, 'on_connected of the trapping plugin');
      const socket = sockets[1];
      if (!socket) throw new Error('no server-side socket for the trapping plugin');
      // The default failure policy quarantines after 5 consecutive faults.
      for (let i = 0; i < 5; i++) socket.send(`frame ${i}`);
      const failures = () =>
        logs.filter((entry) => entry.pluginId === TRAP && entry.message.startsWith('delivering a WebSocket'));
      await waitFor(
        () => closes.length === 2 && failures().length >= 5,
        'the quarantined plugin to be cut off',
      );
      expect(closes).toEqual([1000, 1000]);
      expect(host.plugin(TRAP)?.state).toBe('quarantined');
      expect(failures()).toEqual(
        Array.from({ length: 5 }, () =>
          expect.objectContaining({
            source: 'host',
            message: `delivering a WebSocket handle_text_message call to ${TRAP} failed: plugin ${TRAP}@1.0.0 (handle_text_message) trapped: unreachable`,
            detail: { export: 'handle_text_message', code: 'trap' },
          }),
        ),
      );
    });
  },
);
