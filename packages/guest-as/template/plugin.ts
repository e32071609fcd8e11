// A minimal Plinth guest. Build: npx asc --config asconfig.json --target release
import {
  CliArg, CliCommand, CliValueType, CommandRequest, CommandResponse, JsonValue, Manifest, fail, logInfo, ok,
  plinthAbort, readFile, runCommand, runManifest, unknownCommand,
} from "@plinth/guest-as";

// asconfig.json has `"use": ["abort=plugin/abort"]`: aborts go to host_log (level error) and error_set.
function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  plinthAbort(message, fileName, line, column);
}

export function manifest(): i32 {
  return runManifest(
    new Manifest("acme.hello", "Hello", "0.1.0", "Says hello and counts words.")
      .capability("custom_commands")
      .command("greet")
      .command("word_count")
      // What apps and agents learn of each command's params (an MCP tool's input schema comes from it).
      .cli(new CliCommand("greet", "Say hello").runs("greet").arg(new CliArg("name", "Who to greet").required()))
      .cli(
        new CliCommand("word-count", "Count the words of a note")
          .runs("word_count")
          .arg(new CliArg("path", "The note to count", CliValueType.Path).required()),
      )
      // Asked for at install, with the reason the user is shown.
      .requestPermission("read_files", ["all"], "Count the words of the notes you name."),
  );
}

export function handle_command(): i32 {
  return runCommand(dispatch);
}

function dispatch(request: CommandRequest): CommandResponse {
  if (request.command == "greet") {
    const name = request.param("name");
    if (name === null) return fail("greet: params.name is required", "invalid_params");
    logInfo("greeting " + name);
    return ok(JsonValue.ofString("Hello, " + name + "!"));
  }
  if (request.command == "word_count") {
    const path = request.param("path");
    if (path === null) return fail("word_count: params.path is required", "invalid_params");
    // Host functions return Result<T>: check `ok`, then read `value`, or pass `error` on.
    const text = readFile(path);
    if (!text.ok) return fail(text.error, "host_error"); // "host_read_file: Permission denied for plugin …"
    return ok(JsonValue.newObject().setString("path", path).setInteger("words", countWords(text.value)));
  }
  return unknownCommand(request);
}

function countWords(text: string): i32 {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c == 0x20 || c == 0x0a || c == 0x09 || c == 0x0d;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return words;
}
