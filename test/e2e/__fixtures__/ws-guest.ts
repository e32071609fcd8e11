// A protocol guest over host_ws_request, as WAT, for the end-to-end tests of createNodeHost and the harness.
import loadWabt from 'wabt';
import { WAT_BUFFER_HELPERS, WAT_KERNEL_IMPORTS, watStrings } from './wat-guest-kit.js';

/** Compiles a test guest's WAT with wabt (validated). */
export async function compile(source: string): Promise<Uint8Array> {
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
export function wsGuest(id: string, serverUrl: string, options: { trapOnText?: boolean } = {}): string {
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
