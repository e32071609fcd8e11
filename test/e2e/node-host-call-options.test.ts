import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeHost, type NodeHost, type NodeHostLogEntry } from '@plinth/host-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import loadWabt from 'wabt';
import { WAT_BUFFER_HELPERS, WAT_KERNEL_IMPORTS, watStrings } from './__fixtures__/wat-guest-kit.js';

async function compile(source: string): Promise<Uint8Array> {
  const module = (await loadWabt()).parseWat('call-options-guest.wat', source);
  try {
    module.resolveNames();
    module.validate();
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/**
 * A protocol guest over host_request_file and host_is_cancelled; commands are told apart by their first
 * letter (byte 12 of the host's CommandRequest encoding, `{"command":"…`).
 * - `read`: answers the request file `input` as a JSON string (ASCII only, at most 4 KiB).
 * - `wait`: logs "waiting", then asks host_is_cancelled for the token of its params until the answer is
 *   `{"cancelled":true}` (18 bytes), and answers "cancelled". The token is the 36 characters before the
 *   closing `"}}` of `{"command":"wait","params":{"cancel_token":"<uuid>"}}`.
 * - `check`: one host_is_cancelled call with that token; answers the host's answer as `data`.
 */
function callOptionsGuest(id: string): string {
  const texts = {
    manifest: JSON.stringify({
      protocol_version: 1,
      id,
      name: 'Call options',
      version: '1.0.0',
      description: 'Test guest for request files and cancellation.',
      capabilities: ['custom_commands'],
      commands: ['read', 'wait', 'check'],
    }),
    fileRequest: '{"key":"input"}',
    waiting: '{"level":"info","message":"waiting"}',
    tokenStart: '{"token":"',
    tokenEnd: '"}',
    responseStart: '{"success":true,"data":',
    cancelled: '{"success":true,"data":"cancelled"}',
  };
  const { data, ref } = watStrings(texts);
  return `(module
  ${WAT_KERNEL_IMPORTS}
  (import "extism:host/user" "host_log" (func $host_log (param i64) (result i64)))
  (import "extism:host/user" "host_request_file" (func $host_request_file (param i64) (result i64)))
  (import "extism:host/user" "host_is_cancelled" (func $host_is_cancelled (param i64) (result i64)))
  ${data}
  ${WAT_BUFFER_HELPERS}
  (func $emit_out
    (call $emit (i32.const 16384) (i32.sub (global.get $out) (i32.const 16384))))
  ;; the host_is_cancelled request for the token before the closing "}} of an input of $n bytes
  (func $cancel_request (param $n i32) (result i64)
    (global.set $out (i32.const 16384))
    (call $put ${ref('tokenStart')})
    (call $put (i32.add (i32.const 4096) (i32.sub (local.get $n) (i32.const 39))) (i32.const 36))
    (call $put ${ref('tokenEnd')})
    (call $block (i32.const 16384) (i32.sub (global.get $out) (i32.const 16384))))

  (func (export "manifest") (result i32)
    (call $emit ${ref('manifest')})
    (i32.const 0))
  (func (export "handle_command") (result i32)
    (local $n i32) (local $letter i32) (local $request i64) (local $answer i64)
    (local.set $n (call $read_input))
    (local.set $letter (i32.load8_u (i32.const 4108)))
    ;; r: read
    (if (i32.eq (local.get $letter) (i32.const 114)) (then
      (local.set $answer (call $host_request_file (call $block ${ref('fileRequest')})))
      (global.set $out (i32.const 16384))
      (call $put ${ref('responseStart')}) (call $putb (i32.const 34))
      (call $put_block (local.get $answer))
      (call $putb (i32.const 34)) (call $putb (i32.const 125))
      (call $emit_out)
      (return (i32.const 0))))
    (local.set $request (call $cancel_request (local.get $n)))
    ;; c: check
    (if (i32.eq (local.get $letter) (i32.const 99)) (then
      (local.set $answer (call $host_is_cancelled (local.get $request)))
      (global.set $out (i32.const 16384))
      (call $put ${ref('responseStart')}) (call $put_block (local.get $answer)) (call $putb (i32.const 125))
      (call $emit_out)
      (return (i32.const 0))))
    ;; w: wait
    (drop (call $host_log (call $block ${ref('waiting')})))
    (block $done (loop $ask
      (br_if $done (i64.eq (call $length (call $host_is_cancelled (local.get $request))) (i64.const 18)))
      (br $ask)))
    (call $emit ${ref('cancelled')})
    (i32.const 0))
)`;
}

const ONE = 'acme.call-options';
const TWO = 'acme.call-options-two';
const bytes = (text: string) => new TextEncoder().encode(text);

describe.each(['isolated', 'in-thread'] as const)(
  'request files and cancellation through createNodeHost (%s lane)',
  { timeout: 60_000 },
  (lane) => {
    let base: string;
    let host: NodeHost;
    const logs: NodeHostLogEntry[] = [];
    /** Aborted by the host's log listener the moment the guest logs "waiting" from inside its call. */
    let onWaiting: (() => void) | undefined;

    beforeAll(async () => {
      base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-e2e-call-options-')));
      const pluginsRoot = join(base, 'plugins');
      mkdirSync(join(base, 'workspace'), { recursive: true });
      for (const id of [ONE, TWO]) {
        mkdirSync(join(pluginsRoot, id), { recursive: true });
        writeFileSync(join(pluginsRoot, id, 'plugin.wasm'), await compile(callOptionsGuest(id)));
      }
      host = await createNodeHost({
        workspaceRoot: join(base, 'workspace'),
        pluginsRoot,
        policy: { file: join(base, 'policy.yaml') },
        hostAppVersion: '1.0.0',
        lane,
        watch: false,
        limits: { timeoutMs: 10_000 },
        onLog: (entry) => {
          logs.push(entry);
          if (entry.source === 'guest' && entry.message === 'waiting') onWaiting?.();
        },
      });
      const { problems } = await host.start();
      expect(problems).toEqual([]);
    });
    afterAll(async () => {
      await host.close();
      rmSync(base, { recursive: true, force: true });
    });

    it('answers host_request_file from the files handed to the call, empty without them', async () => {
      expect(await host.command(ONE, 'read', null, { files: { input: bytes('from a record') } })).toEqual({
        success: true,
        data: 'from a record',
      });
      const map = new Map([['input', bytes('from a map')]]);
      expect(await host.command(ONE, 'read', null, { files: map })).toEqual({
        success: true,
        data: 'from a map',
      });
      expect(await host.command(ONE, 'read', null, { files: { other: bytes('x') } })).toEqual({
        success: true,
        data: '',
      });
      expect(await host.command(ONE, 'read')).toEqual({ success: true, data: '' });
    });

    it('keeps the files of concurrent calls apart, for one plugin and for two', async () => {
      const calls = ['a', 'b', 'c', 'd'].map((text, index) =>
        host.command(index % 2 === 0 ? ONE : TWO, 'read', null, { files: { input: bytes(text) } }),
      );
      calls.push(host.command(ONE, 'read'));
      expect((await Promise.all(calls)).map((response) => response.data)).toEqual(['a', 'b', 'c', 'd', '']);
    });

    it('tells a running guest its call was cancelled once the signal aborts', async () => {
      const controller = new AbortController();
      onWaiting = () => controller.abort();
      try {
        expect(await host.command(ONE, 'wait', null, { signal: controller.signal })).toEqual({
          success: true,
          data: 'cancelled',
        });
      } finally {
        onWaiting = undefined;
      }
      expect(logs.filter((entry) => entry.source === 'guest').map((entry) => entry.message)).toContain(
        'waiting',
      );
    });

    it('answers false for a live signal, and for a token the host did not issue', async () => {
      const controller = new AbortController();
      expect(await host.command(ONE, 'check', {}, { signal: controller.signal })).toEqual({
        success: true,
        data: { cancelled: false },
      });
      const madeUp = '00000000-0000-4000-8000-000000000000';
      expect(await host.command(ONE, 'check', { cancel_token: madeUp })).toEqual({
        success: true,
        data: { cancelled: false },
      });
    });
  },
);
