// The abort handler. Compile with `--use abort=<your entry>/abort` and a local `abort` that calls
// `plinthAbort`, or point `--use` here directly: `--use abort=~lib/@plinth/guest-as/assembly/abort/plinthAbort`.
// Extism rc13 drops the `error_set` message when the guest traps, so the message also goes to host_log
// (level error), where it survives.
import { error_set } from "./kernel";
import { writeBlock } from "./io";
import { encodeUtf8 } from "./utf8";
import { quoteJson } from "./json";

@external("extism:host/user", "host_log")
declare function abort_host_log(handle: u64): u64;

let aborting = false;

/** Logs `abort: <message> at <file>:<line>:<col>` through host_log, sets it as the error, then traps. */
export function plinthAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  if (aborting) unreachable(); // an abort while reporting one (e.g. out of memory): just trap
  aborting = true;
  const text =
    "abort: " + (message !== null ? message : "") + " at " + (fileName !== null ? fileName : "?") + ":" + line.toString() + ":" + column.toString();
  abort_host_log(writeBlock(encodeUtf8('{"level":"error","message":' + quoteJson(text) + "}")));
  error_set(writeBlock(encodeUtf8(text)));
  unreachable();
}
