// A generic Extism plugin written with the upstream AssemblyScript PDK (@extism/as-pdk), in the shape of
// the classic plugin-manager example: the host keeps values (kv_read/kv_write in extism:host/user), the
// manifest lists the hosts it may reach, and the host collects its log lines.
import { Config, Host, LogLevel, Memory, Var } from '@extism/as-pdk';
import { error_set, http_request, length, load_u8 } from '@extism/as-pdk/lib/env';

@external('extism:host/user', 'kv_read')
declare function kv_read(key: u64): u64;
@external('extism:host/user', 'kv_write')
declare function kv_write(key: u64, value: u64): void;
@external('extism:host/env', 'http_status_code')
declare function http_status_code(): i32;

// Built with `--use abort=plugin/abort`: an abort becomes the call's error, not a bare trap.
function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const text = (message === null ? 'abort' : message) + ' at ' + (fileName === null ? '?' : fileName);
  error_set(Memory.allocateString(text + ':' + line.toString() + ':' + column.toString()).offset);
  unreachable();
}

// The PDK's outputString writes UTF-16 lengths; output UTF-8 bytes instead (non-ASCII safe).
function output(text: string): void {
  Host.output(Uint8Array.wrap(String.UTF8.encode(text)));
}

function blockText(offset: u64): string {
  const bytes = new Uint8Array(i32(length(offset)));
  for (let i = 0; i < bytes.length; i++) bytes[i] = load_u8(offset + u64(i));
  return String.UTF8.decode(bytes.buffer);
}

/** count: adds 1 to the number the host keeps under the input key; outputs the new count. */
export function count(): i32 {
  const key = Memory.allocateString(Host.inputString());
  const stored = kv_read(key.offset);
  const current = stored == 0 ? 0 : I32.parseInt(blockText(stored));
  const next = (current + 1).toString();
  kv_write(key.offset, Memory.allocateString(next).offset);
  output(next);
  return 0;
}

/** greet: the config's greeting (or "Hello") and the input. */
export function greet(): i32 {
  const greeting = Config.get('greeting');
  output((greeting === null ? 'Hello' : greeting) + ', ' + Host.inputString() + '!');
  return 0;
}

/** remember: keeps the input in a var; outputs what the var held before ("" the first time). */
export function remember(): i32 {
  const before = Var.getString('last');
  Var.set('last', Uint8Array.wrap(String.UTF8.encode(Host.inputString())));
  output(before === null ? '' : before);
  return 0;
}

/** log_all: the input at every level the PDK has. */
export function log_all(): i32 {
  const line = Host.inputString();
  Host.log(LogLevel.Debug, 'debug: ' + line);
  Host.log(LogLevel.Info, 'info: ' + line);
  Host.log(LogLevel.Warn, 'warn: ' + line);
  Host.log(LogLevel.Error, 'error: ' + line);
  return 0;
}

/** fetch: GET of the input URL through Extism's http_request; outputs "<status> <body>". */
export function fetch(): i32 {
  const request = '{"url":' + JSON_quote(Host.inputString()) + ',"method":"GET","headers":{}}';
  const response = http_request(Memory.allocateString(request).offset, 0);
  const body = response == 0 ? '' : blockText(response);
  output(http_status_code().toString() + ' ' + body);
  return 0;
}

/** spin: never returns (a timeout or a fuel budget has to stop it). */
export function spin(): i32 {
  let turns: u64 = 0;
  while (turns != u64.MAX_VALUE) turns += 1;
  return 0;
}

/** hog: asks for 1 MiB host blocks until the host refuses one (offset 0), then traps. */
export function hog(): i32 {
  for (let i = 0; i < 100_000; i++) {
    if (Memory.allocate(1 << 20).offset == 0) unreachable();
  }
  return 0;
}

function JSON_quote(text: string): string {
  let quoted = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    quoted += c == '"' || c == '\\' ? '\\' + c : c;
  }
  return quoted + '"';
}
