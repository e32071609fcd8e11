// CommandRequest in, CommandResponse out (the `handle_command` export).
import { JsonValue, parseJson, quoteJson } from "./json";
import { Result, failure, success } from "./result";

/** A parsed CommandRequest. */
export class CommandRequest {
  constructor(
    public command: string,
    /** `params`, JSON null when absent. */
    public params: JsonValue,
    /** The exact JSON text of `params` as the caller sent it ("null" when absent). */
    public paramsText: string,
  ) {}

  /** A string member of params, or null. */
  param(key: string): string | null {
    return this.params.getString(key);
  }
}

/** Parses a CommandRequest: an object with a string `command` and any `params`, keys in any order. */
export function parseCommandRequest(text: string): Result<CommandRequest> {
  const parsed = parseJson(text);
  if (!parsed.ok) return failure<CommandRequest>(parsed.error);
  const json = parsed.value;
  if (!json.isObject) return failure<CommandRequest>("expected a JSON object");
  const command = json.get("command");
  if (command === null) return failure<CommandRequest>("command is required");
  if (!command.isString) return failure<CommandRequest>("command must be a string");
  const params = json.get("params");
  if (params === null) return success<CommandRequest>(new CommandRequest(command.asString(), JsonValue.ofNull(), "null"));
  return success<CommandRequest>(new CommandRequest(command.asString(), params, text.substring(params.start, params.end)));
}

/** A CommandResponse; build with `ok`, `okText` or `fail`. */
export class CommandResponse {
  constructor(
    public success: bool,
    /** JSON text of `data`, or null for none. */
    public dataText: string | null,
    public error: string | null,
    public errorCode: string | null,
  ) {}

  stringify(): string {
    let out = this.success ? '{"success":true' : '{"success":false';
    const data = this.dataText;
    if (data !== null) out += ',"data":' + data;
    const error = this.error;
    if (error !== null) out += ',"error":' + quoteJson(error);
    const code = this.errorCode;
    if (code !== null && code.length > 0) out += ',"error_code":' + quoteJson(code);
    return out + "}";
  }
}

/** Success with data. */
export function ok(data: JsonValue): CommandResponse {
  return new CommandResponse(true, data.stringify(), null, null);
}

/** Success with data given as JSON text, written verbatim (e.g. an echo of `paramsText`). */
export function okText(json: string): CommandResponse {
  return new CommandResponse(true, json, null, null);
}

/** Success without data. */
export function okEmpty(): CommandResponse {
  return new CommandResponse(true, null, null, null);
}

/**
 * A command error. `code` is optional: `permission_denied` and `config_error` are typed by the host;
 * `invalid_params`, `unknown_command`, … are command errors.
 */
export function fail(error: string, code: string = ""): CommandResponse {
  return new CommandResponse(false, null, error, code.length > 0 ? code : null);
}

/** The standard answer to a command the guest does not know. */
export function unknownCommand(request: CommandRequest): CommandResponse {
  return fail("unknown command: " + request.command, "unknown_command");
}
