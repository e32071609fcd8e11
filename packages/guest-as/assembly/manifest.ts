// The GuestManifest a guest returns from its `manifest` export, built in code.
import { CliCommand } from "./cli";
import { JsonValue } from "./json";

/** Protocol version this SDK speaks. */
export const PROTOCOL_VERSION: i32 = 1;

/**
 * A GuestManifest builder:
 * `new Manifest("acme.notes", "Notes", "1.0.0", "…").capability("custom_commands").command("ping")`.
 */
export class Manifest {
  private capabilityList: Array<string> = new Array<string>();
  private commandList: Array<string> = new Array<string>();
  private cliList: Array<CliCommand> = new Array<CliCommand>();
  private defaults: JsonValue = JsonValue.newObject();
  private reasons: JsonValue = JsonValue.newObject();
  private extra: JsonValue = JsonValue.newObject();

  constructor(
    /** Canonical id: lowercase `[a-z0-9-]` segments joined by `.`, at least two. */
    public id: string,
    public name: string,
    /** Semver, e.g. "1.0.0". */
    public version: string,
    public description: string,
  ) {}

  /** Declares a capability (`custom_commands`, `file_events`, `workspace_events`, …). */
  capability(name: string): Manifest {
    if (!this.capabilityList.includes(name)) this.capabilityList.push(name);
    return this;
  }

  /** Lists a command the host may route to `handle_command`. */
  command(name: string): Manifest {
    if (!this.commandList.includes(name)) this.commandList.push(name);
    return this;
  }

  /**
   * Adds a CLI hint (the `cli` array): the command's arguments, typed, which apps show on a command line
   * and agents get as the tool's input schema. See `CliCommand`.
   */
  cli(hint: CliCommand): Manifest {
    this.cliList.push(hint);
    return this;
  }

  /**
   * Asks for a permission at install: `include` scopes (e.g. `["all"]`, `["Daily"]`), optional `exclude`
   * scopes, and the reason shown to the user. The host never widens a rule the user has set.
   */
  requestPermission(type: string, include: Array<string>, reason: string, exclude: Array<string> = []): Manifest {
    const rule = JsonValue.newObject().set("include", JsonValue.ofStrings(include)).set("exclude", JsonValue.ofStrings(exclude));
    this.defaults.set(type, rule);
    this.reasons.setString(type, reason);
    return this;
  }

  /** Lowest host app version (semver) the plugin runs on. */
  minAppVersion(version: string): Manifest {
    return this.set("min_app_version", JsonValue.ofString(version));
  }

  /** Any other manifest field (`ui`, `conversions`, `server_functions`, …), as JSON; it replaces a field built here. */
  set(field: string, value: JsonValue): Manifest {
    this.extra.set(field, value);
    return this;
  }

  toJson(): JsonValue {
    const json = JsonValue.newObject()
      .setInteger("protocol_version", PROTOCOL_VERSION)
      .setString("id", this.id)
      .setString("name", this.name)
      .setString("version", this.version)
      .setString("description", this.description)
      .set("capabilities", JsonValue.ofStrings(this.capabilityList))
      .set("commands", JsonValue.ofStrings(this.commandList));
    if (this.cliList.length > 0) {
      const cli = JsonValue.newArray();
      for (let i = 0; i < this.cliList.length; i++) cli.push(this.cliList[i].toJson());
      json.set("cli", cli);
    }
    if (this.reasons.length > 0) {
      json.set("requested_permissions", JsonValue.newObject().set("defaults", this.defaults).set("reasons", this.reasons));
    }
    const keys = this.extra.keys();
    for (let i = 0; i < keys.length; i++) json.set(keys[i], this.extra.valueAt(i)!);
    return json;
  }

  stringify(): string {
    return this.toJson().stringify();
  }
}
