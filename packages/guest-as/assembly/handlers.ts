// One-line bodies for the guest exports: each reads the input, calls the author's function, writes the
// output, and turns a malformed input into a protocol answer or an `error_set` instead of a trap.
import { CommandRequest, CommandResponse, fail, parseCommandRequest } from "./command";
import { ConfigReconcile, GuestEvent, InitContext, parseGuestEvent, parseInitContext } from "./events";
import { inputString, outputString, setError } from "./io";
import { JsonValue, parseJson } from "./json";
import { Manifest } from "./manifest";

/** `manifest`: writes the manifest. */
export function runManifest(manifest: Manifest): i32 {
  outputString(manifest.stringify());
  return 0;
}

/** `handle_command`: malformed request JSON answers `invalid_request` (never a trap). */
export function runCommand(handler: (request: CommandRequest) => CommandResponse): i32 {
  const request = parseCommandRequest(inputString());
  const response = request.ok ? handler(request.value) : fail("invalid request: " + request.error, "invalid_request");
  outputString(response.stringify());
  return 0;
}

/** `on_event`: a malformed event is reported through `error_set` (the host logs it and carries on). */
export function runEvent(handler: (event: GuestEvent) => void): i32 {
  const event = parseGuestEvent(inputString());
  if (!event.ok) {
    setError("on_event: invalid event: " + event.error);
    return 1;
  }
  handler(event.value);
  return 0;
}

/** `init`. */
export function runInit(handler: (context: InitContext) => void): i32 {
  const context = parseInitContext(inputString());
  if (!context.ok) {
    setError("init: invalid context: " + context.error);
    return 1;
  }
  handler(context.value);
  return 0;
}

/** `get_config`: writes the config object. */
export function runGetConfig(config: JsonValue): i32 {
  outputString(config.stringify());
  return 0;
}

/**
 * `set_config`: the input is a JSON config (may be `null` or empty); the handler returns a
 * ConfigReconcile, or null for the empty answer.
 */
export function runSetConfig(handler: (config: JsonValue) => ConfigReconcile | null): i32 {
  const text = inputString();
  let config = JsonValue.ofNull();
  if (text.length > 0) {
    const parsed = parseJson(text);
    if (!parsed.ok) {
      setError("set_config: invalid config: " + parsed.error);
      return 1;
    }
    config = parsed.value;
  }
  const reconcile = handler(config);
  outputString(reconcile !== null ? reconcile.toJson().stringify() : "");
  return 0;
}

/** `shutdown` and other exports with nothing to do. */
export function runNothing(): i32 {
  return 0;
}
