// A minimal Plinth guest. Build: npx asc --config asconfig.json
import {
  CommandRequest, CommandResponse, JsonValue, Manifest, fail, logInfo, ok, plinthAbort, runCommand, runManifest,
  unknownCommand,
} from "@plinth/guest-as";

// asconfig.json has `"use": ["abort=plugin/abort"]`: aborts go to host_log (level error) and error_set.
function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  plinthAbort(message, fileName, line, column);
}

export function manifest(): i32 {
  return runManifest(
    new Manifest("acme.hello", "Hello", "0.1.0", "Says hello.")
      .capability("custom_commands")
      .command("greet"),
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
  return unknownCommand(request);
}
