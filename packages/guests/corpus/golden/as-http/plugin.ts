// HTTP through host_http_request on @plinth/guest-as: `fetch` answers {status, body}, `fetch_json` parses
// the body; host failures (shape H) come back as success:false with the host's message.
import {
  CliArg, CliCommand, CommandRequest, CommandResponse, HttpRequest, JsonValue, Manifest, fail, getTimestamp, httpRequest, logInfo, ok,
  okText, plinthAbort, runCommand, runManifest, runNothing, unknownCommand, GuestEvent, runEvent, logDebug,
} from "@plinth/guest-as";

// Built with `--use abort=plugin/abort`.
function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  plinthAbort(message, fileName, line, column);
}

export function manifest(): i32 {
  return runManifest(
    new Manifest("plinth-golden.http", "HTTP fetch (AssemblyScript golden)", "1.0.0", "Fetches URLs through the host.")
      .capability("custom_commands")
      .command("ping").command("echo").command("greet").command("time")
      .command("fetch").command("fetch_json")
      .cli(new CliCommand("ping", "Answer pong").runs("ping"))
      .cli(new CliCommand("echo", "Answer the params as sent").runs("echo")
        .arg(new CliArg("text", "Text to send back (every other param is sent back too)")))
      .cli(new CliCommand("greet", "Greet someone, and log it").runs("greet")
        .arg(new CliArg("name", "Who to greet").required()))
      .cli(new CliCommand("time", "The host's clock, in milliseconds since 1970").runs("time"))
      .cli(fetchHint("fetch", "Fetch a URL: its status and body text", "fetch"))
      .cli(fetchHint("fetch-json", "Fetch a URL: its status and body read as JSON", "fetch_json"))
      .requestPermission("http_requests", ["all"], "Fetch the URLs you ask for."),
  );
}

/** `headers` (an object of header names to values) is accepted too; a CLI hint has no object type. */
function fetchHint(name: string, about: string, command: string): CliCommand {
  return new CliCommand(name, about).runs(command)
    .arg(new CliArg("url", "The URL to fetch").required())
    .arg(new CliArg("method", "The HTTP method").defaultValue("GET"))
    .arg(new CliArg("body", "The request body, as text"));
}

export function init(): i32 {
  return runNothing();
}

export function shutdown(): i32 {
  return runNothing();
}

export function on_event(): i32 {
  return runEvent(onEvent);
}
function onEvent(event: GuestEvent): void {
  logDebug("event " + event.eventType);
}

export function handle_command(): i32 {
  return runCommand(dispatch);
}

function dispatch(request: CommandRequest): CommandResponse {
  const command = request.command;
  if (command == "ping") return ok(JsonValue.ofString("pong"));
  if (command == "echo") return okText(request.paramsText);
  if (command == "greet") {
    const name = request.param("name");
    if (name === null) return fail("greet: params.name is required", "invalid_params");
    logInfo("greeting " + name);
    return ok(JsonValue.ofString("Hello, " + name + "!"));
  }
  if (command == "time") {
    const now = getTimestamp();
    return now.ok ? ok(JsonValue.ofInteger(now.value)) : fail(now.error, "host_error");
  }
  if (command == "fetch") return fetch(request, false);
  if (command == "fetch_json") return fetch(request, true);
  return unknownCommand(request);
}

function fetch(request: CommandRequest, asJson: bool): CommandResponse {
  const url = request.param("url");
  if (url === null) return fail(request.command + ": params.url is required", "invalid_params");
  const req = new HttpRequest(url);
  const method = request.param("method");
  if (method !== null) req.withMethod(method);
  const body = request.param("body");
  if (body !== null) req.withBody(body);
  const headers = request.params.get("headers");
  if (headers !== null && headers.isObject) {
    const names = headers.keys();
    for (let i = 0; i < names.length; i++) req.header(names[i], headers.valueAt(i)!.asString());
  }
  const response = httpRequest(req);
  if (!response.ok) {
    const error = response.error;
    const denied = error.includes("ermission denied") || error.includes("ermission not configured");
    return fail(error, denied ? "permission_denied" : "http_error");
  }
  const answer = JsonValue.newObject().setInteger("status", response.value.status);
  if (!asJson) return ok(answer.setString("body", response.value.body));
  const parsed = response.value.json();
  if (!parsed.ok) return fail("fetch_json: the body is not JSON: " + parsed.error, "invalid_json");
  return ok(answer.set("json", parsed.value));
}
