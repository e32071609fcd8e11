// CLI hints: the manifest's `cli` array, built in code. Apps turn them into command-line subcommands, and
// @plinth/mcp into each tool's input schema, so they are how a caller learns a command's parameters.
// Mirrors `cliArgSchema` and `cliCommandSchema` of @plinth/protocol; a host drops a malformed hint with a
// warning (the plugin still loads).
import { JsonValue } from "./json";

/** An argument's value type (the protocol's `CLI_VALUE_TYPES`). */
export enum CliValueType {
  String,
  Integer,
  Float,
  Boolean,
  /** A workspace-relative path. */
  Path,
}

/** The wire name of a value type: `"String"`, `"Integer"`, `"Float"`, `"Boolean"` or `"Path"`. */
export function cliValueTypeName(type: CliValueType): string {
  switch (type) {
    case CliValueType.Integer:
      return "Integer";
    case CliValueType.Float:
      return "Float";
    case CliValueType.Boolean:
      return "Boolean";
    case CliValueType.Path:
      return "Path";
    default:
      return "String";
  }
}

/**
 * One argument of a CLI hint, sent to the command as `params.<name>`:
 * `new CliArg("path", "The note to count", CliValueType.Path).required()`.
 */
export class CliArg {
  private isRequired: bool = false;
  private isFlag: bool = false;
  private defaultText: string | null = null;
  private shortName: string | null = null;
  private longName: string | null = null;

  constructor(
    /** The params key. */
    public name: string,
    /** What it is, shown to users and agents. */
    public help: string,
    public valueType: CliValueType = CliValueType.String,
  ) {}

  /** `required: true`: the command cannot run without it. */
  required(): CliArg {
    this.isRequired = true;
    return this;
  }

  /** `is_flag: true`: a switch without a value (`--verbose`), sent as a boolean. */
  flag(): CliArg {
    this.isFlag = true;
    this.valueType = CliValueType.Boolean;
    return this;
  }

  /** `default_value`, as text (`"10"`, `"true"`); callers read it as the arg's type. */
  defaultValue(text: string): CliArg {
    this.defaultText = text;
    return this;
  }

  /** `short`: a one-character option (`-n`); any other length makes the host drop the hint. */
  short(letter: string): CliArg {
    this.shortName = letter;
    return this;
  }

  /** `long`: the long option name (`--limit`), when it differs from `name`. */
  long(name: string): CliArg {
    this.longName = name;
    return this;
  }

  toJson(): JsonValue {
    const json = JsonValue.newObject()
      .setString("name", this.name)
      .setString("help", this.help)
      .setString("value_type", cliValueTypeName(this.valueType))
      .setBool("required", this.isRequired)
      .setBool("is_flag", this.isFlag);
    const fallback = this.defaultText;
    if (fallback !== null) json.setString("default_value", fallback);
    const short = this.shortName;
    if (short !== null) json.setString("short", short);
    const long = this.longName;
    if (long !== null) json.setString("long", long);
    return json;
  }
}

/**
 * A CLI hint: `new CliCommand("word-count", "Count the words of a note").runs("word_count").arg(…)`.
 * Without `runs` the hint runs the PascalCase form of its name (`WordCount`): call `runs` with the
 * command as the manifest lists it.
 */
export class CliCommand {
  private longAboutText: string | null = null;
  private aliasList: Array<string> = new Array<string>();
  private argList: Array<CliArg> = new Array<CliArg>();
  private subcommandList: Array<CliCommand> = new Array<CliCommand>();
  private commandName: string | null = null;
  private needsWorkspace: bool = true;
  private nativeHandlerName: string | null = null;

  constructor(
    /** The subcommand name on a command line, e.g. `word-count`. */
    public name: string,
    /** One line on what it does. */
    public about: string,
  ) {}

  /** `command_name`: the `handle_command` command this hint runs. */
  runs(command: string): CliCommand {
    this.commandName = command;
    return this;
  }

  /** `long_about`: a longer description; tool descriptions prefer it to `about`. */
  longAbout(text: string): CliCommand {
    this.longAboutText = text;
    return this;
  }

  /** Adds to `aliases`. */
  alias(name: string): CliCommand {
    if (!this.aliasList.includes(name)) this.aliasList.push(name);
    return this;
  }

  /** Adds to `args`, in order. */
  arg(arg: CliArg): CliCommand {
    this.argList.push(arg);
    return this;
  }

  /** Adds to `subcommands`. */
  subcommand(command: CliCommand): CliCommand {
    this.subcommandList.push(command);
    return this;
  }

  /** `requires_workspace: false`: the command works without an open workspace. */
  noWorkspace(): CliCommand {
    this.needsWorkspace = false;
    return this;
  }

  /** `native_handler`: the app runs its own code for this hint instead of a command. */
  nativeHandler(name: string): CliCommand {
    this.nativeHandlerName = name;
    return this;
  }

  toJson(): JsonValue {
    const args = JsonValue.newArray();
    for (let i = 0; i < this.argList.length; i++) args.push(this.argList[i].toJson());
    const json = JsonValue.newObject().setString("name", this.name).setString("about", this.about).set("args", args);
    const longAbout = this.longAboutText;
    if (longAbout !== null) json.setString("long_about", longAbout);
    if (this.aliasList.length > 0) json.set("aliases", JsonValue.ofStrings(this.aliasList));
    if (this.subcommandList.length > 0) {
      const subcommands = JsonValue.newArray();
      for (let i = 0; i < this.subcommandList.length; i++) subcommands.push(this.subcommandList[i].toJson());
      json.set("subcommands", subcommands);
    }
    const command = this.commandName;
    if (command !== null) json.setString("command_name", command);
    if (!this.needsWorkspace) json.setBool("requires_workspace", false);
    const native = this.nativeHandlerName;
    if (native !== null) json.setString("native_handler", native);
    return json;
  }
}
