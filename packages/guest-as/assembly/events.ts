// GuestEvent (`on_event`), InitContext (`init`) and config (`get_config` / `set_config`).
import { JsonValue, parseJson } from "./json";
import { Result, failure, success } from "./result";

/** A host event: `{event_type, payload}`. */
export class GuestEvent {
  constructor(
    /** e.g. `file_saved`, `file_created`, `file_moved`, `workspace_opened`. */
    public eventType: string,
    public payload: JsonValue,
  ) {}

  /** `payload.path` (file events), or null. */
  get path(): string | null {
    return this.payload.getString("path");
  }
}

export function parseGuestEvent(text: string): Result<GuestEvent> {
  const parsed = parseJson(text);
  if (!parsed.ok) return failure<GuestEvent>(parsed.error);
  const json = parsed.value;
  const type = json.getString("event_type");
  if (type === null) return failure<GuestEvent>("event_type must be a string");
  const payload = json.get("payload");
  return success<GuestEvent>(new GuestEvent(type, payload !== null ? payload : JsonValue.ofNull()));
}

/** The input of `init`: `{workspace_root}` plus host-supplied keys (kept in `raw`). */
export class InitContext {
  constructor(public workspaceRoot: string | null, public raw: JsonValue) {}
}

export function parseInitContext(text: string): Result<InitContext> {
  if (text.length == 0) return success<InitContext>(new InitContext(null, JsonValue.newObject()));
  const parsed = parseJson(text);
  if (!parsed.ok) return failure<InitContext>(parsed.error);
  return success<InitContext>(new InitContext(parsed.value.getString("workspace_root"), parsed.value));
}

/** Output of `set_config`: optionally the normalized config and a permission request. */
export class ConfigReconcile {
  config: JsonValue | null = null;
  permissions: JsonValue | null = null;
  reasons: JsonValue = JsonValue.newObject();

  /** Asks for a permission after a config change; surfaced to the app, never auto-applied. */
  requestPermission(type: string, include: Array<string>, reason: string): ConfigReconcile {
    let permissions = this.permissions;
    if (permissions === null) {
      permissions = JsonValue.newObject();
      this.permissions = permissions;
    }
    permissions.set(type, JsonValue.newObject().set("include", JsonValue.ofStrings(include)).set("exclude", JsonValue.newArray()));
    this.reasons.setString(type, reason);
    return this;
  }

  toJson(): JsonValue {
    const json = JsonValue.newObject();
    const config = this.config;
    if (config !== null) json.set("config", config);
    const permissions = this.permissions;
    if (permissions !== null) {
      json.set("permission_request", JsonValue.newObject().set("permissions", permissions).set("reasons", this.reasons));
    }
    return json;
  }
}
