// A notes-workspace plugin on @plinth/guest-as: the shared conformance commands plus word counts, daily
// notes, a tag index kept in plugin storage, file-event reactions and config.
import {
  CliArg, CliCommand, CliValueType, CommandRequest, CommandResponse, ConfigReconcile, GuestEvent, JsonValue, Manifest, emitEvent, fail, fileExists,
  getNow, getTimestamp, listFiles, logDebug, logInfo, ok, okText, parseJson, plinthAbort, readFile, runCommand,
  runEvent, runGetConfig, runInit, runManifest, runNothing, runSetConfig, storageGetString, storageSetString,
  unknownCommand, writeFile, InitContext,
} from "@plinth/guest-as";

// Built with `--use abort=plugin/abort`: report aborts through the SDK (host_log + error_set).
function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  plinthAbort(message, fileName, line, column);
}

const PLUGIN_ID = "plinth-golden.notes";
const INDEX_KEY = "tag_index";
let dailyFolder = "Daily";

export function manifest(): i32 {
  return runManifest(
    new Manifest(PLUGIN_ID, "Notes (AssemblyScript golden)", "1.0.0", "Word counts, daily notes and a tag index for a notes workspace.")
      .capability("custom_commands")
      .capability("file_events")
      .command("ping").command("echo").command("greet").command("time")
      .command("word_count").command("daily_note").command("tag_index").command("last_index").command("emit")
      .cli(new CliCommand("ping", "Answer pong").runs("ping"))
      .cli(new CliCommand("echo", "Answer the params as sent").runs("echo")
        .arg(new CliArg("text", "Text to send back (every other param is sent back too)")))
      .cli(new CliCommand("greet", "Greet someone, and log it").runs("greet")
        .arg(new CliArg("name", "Who to greet").required()))
      .cli(new CliCommand("time", "The host's clock, in milliseconds since 1970").runs("time"))
      .cli(new CliCommand("word-count", "Count the words of a note").runs("word_count")
        .arg(new CliArg("path", "The note to count", CliValueType.Path).required()))
      .cli(new CliCommand("daily-note", "Create or extend the daily note of a date").runs("daily_note")
        .arg(new CliArg("date", "The day as YYYY-MM-DD (default: today)"))
        .arg(new CliArg("text", "A line to append")))
      .cli(new CliCommand("tag-index", "Index the #tags of every Markdown note, and remember the index").runs("tag_index"))
      .cli(new CliCommand("last-index", "The tag index tag-index remembered last, or null").runs("last_index"))
      .cli(new CliCommand("emit", "Send a custom event").runs("emit")
        .arg(new CliArg("event_type", "The event type (default: plinth-golden.notes.custom)")))
      .requestPermission("read_files", ["all"], "Count words and collect #tags in your notes.")
      .requestPermission("edit_files", ["Daily"], "Update today's daily note.")
      .requestPermission("create_files", ["Daily"], "Create today's daily note.")
      .requestPermission("plugin_storage", ["all"], "Remember the last tag index."),
  );
}

export function init(): i32 {
  return runInit(onInit);
}
function onInit(context: InitContext): void {}

export function shutdown(): i32 {
  return runNothing();
}

export function handle_command(): i32 {
  return runCommand(dispatch);
}

function dispatch(request: CommandRequest): CommandResponse {
  const command = request.command;
  if (command == "ping") return ok(JsonValue.ofString("pong"));
  if (command == "echo") return okText(request.paramsText);
  if (command == "greet") return greet(request);
  if (command == "time") return time();
  if (command == "word_count") return wordCount(request);
  if (command == "daily_note") return dailyNote(request);
  if (command == "tag_index") return tagIndex();
  if (command == "last_index") return lastIndex();
  if (command == "emit") return emit(request);
  return unknownCommand(request);
}

/** A host failure as a command error; a permission denial keeps its typed code. */
function hostFailure(error: string): CommandResponse {
  const denied = error.includes("ermission denied") || error.includes("ermission not configured");
  return fail(error, denied ? "permission_denied" : "host_error");
}

function greet(request: CommandRequest): CommandResponse {
  const name = request.param("name");
  if (name === null) return fail("greet: params.name is required", "invalid_params");
  logInfo("greeting " + name);
  return ok(JsonValue.ofString("Hello, " + name + "!"));
}

function time(): CommandResponse {
  const now = getTimestamp();
  if (!now.ok) return hostFailure(now.error);
  return ok(JsonValue.ofInteger(now.value));
}

function isSpace(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0x0b || c == 0x0c || c == 0xa0 || c == 0x3000 ||
    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029;
}

/** Runs of non-whitespace. */
function countWords(text: string): i32 {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = isSpace(text.charCodeAt(i));
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

function wordCount(request: CommandRequest): CommandResponse {
  const path = request.param("path");
  if (path === null) return fail("word_count: params.path is required", "invalid_params");
  const text = readFile(path);
  if (!text.ok) return hostFailure(text.error);
  return ok(JsonValue.newObject().setString("path", path).setInteger("words", countWords(text.value)));
}

function isDate(text: string): bool {
  if (text.length != 10) return false;
  for (let i = 0; i < 10; i++) {
    const c = text.charCodeAt(i);
    if (i == 4 || i == 7) {
      if (c != 0x2d) return false;
    } else if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function dailyNote(request: CommandRequest): CommandResponse {
  let date = request.param("date");
  if (date === null) {
    const now = getNow();
    if (!now.ok) return hostFailure(now.error);
    date = now.value.substring(0, 10);
  }
  if (!isDate(date)) return fail("daily_note: date must be YYYY-MM-DD (got " + date + ")", "invalid_params");
  const path = dailyFolder + "/" + date + ".md";
  const exists = fileExists(path);
  let content = "# " + date + "\n";
  let created = true;
  if (exists.ok && exists.value) {
    const current = readFile(path);
    if (!current.ok) return hostFailure(current.error);
    content = current.value;
    created = false;
  }
  const line = request.param("text");
  if (line !== null) content += (content.endsWith("\n") ? "" : "\n") + line + "\n";
  const written = writeFile(path, content);
  if (!written.ok) return hostFailure(written.error);
  return ok(JsonValue.newObject().setString("path", path).setBool("created", created).setInteger("words", countWords(content)));
}

function isTagChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2d ||
    c == 0x2f || c >= 0x80;
}

/** `#tag` words: `#` at the start or after whitespace, then tag characters, not all digits. */
function collectTags(text: string, into: Array<string>): void {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) != 0x23) continue;
    if (i > 0 && !isSpace(text.charCodeAt(i - 1)) && text.charCodeAt(i - 1) != 0x28) continue;
    let j = i + 1;
    let digitsOnly = true;
    while (j < text.length && isTagChar(text.charCodeAt(j)) && !isSpace(text.charCodeAt(j))) {
      const c = text.charCodeAt(j);
      if (c < 0x30 || c > 0x39) digitsOnly = false;
      j++;
    }
    if (j > i + 1 && !digitsOnly) {
      const tag = text.substring(i + 1, j);
      if (!into.includes(tag)) into.push(tag);
    }
    i = j - 1;
  }
}

function tagIndex(): CommandResponse {
  const files = listFiles("");
  if (!files.ok) return hostFailure(files.error);
  const paths = files.value;
  paths.sort((a: string, b: string): i32 => (a < b ? -1 : a > b ? 1 : 0));
  const tags = new Map<string, Array<string>>();
  let scanned = 0;
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    if (!path.endsWith(".md")) continue;
    const text = readFile(path);
    if (!text.ok) return hostFailure(text.error);
    scanned++;
    const found = new Array<string>();
    collectTags(text.value, found);
    for (let t = 0; t < found.length; t++) {
      if (!tags.has(found[t])) tags.set(found[t], new Array<string>());
      tags.get(found[t]).push(path);
    }
  }
  const names = tags.keys();
  names.sort((a: string, b: string): i32 => (a < b ? -1 : a > b ? 1 : 0));
  const tagsJson = JsonValue.newObject();
  for (let i = 0; i < names.length; i++) tagsJson.set(names[i], JsonValue.ofStrings(tags.get(names[i])));
  const index = JsonValue.newObject().set("tags", tagsJson).setInteger("files", scanned);
  const stored = storageSetString(INDEX_KEY, index.stringify());
  if (!stored.ok) return hostFailure(stored.error);
  return ok(index);
}

function lastIndex(): CommandResponse {
  const stored = storageGetString(INDEX_KEY);
  if (!stored.ok) return hostFailure(stored.error);
  const text = stored.value;
  if (text === null) return ok(JsonValue.ofNull());
  const index = parseJson(text);
  if (!index.ok) return fail("last_index: stored index is corrupt: " + index.error, "host_error");
  return ok(index.value);
}

function emit(request: CommandRequest): CommandResponse {
  const type = request.param("event_type");
  const payload = request.params.get("payload");
  const event = JsonValue.newObject()
    .setString("event_type", type !== null ? type : PLUGIN_ID + ".custom")
    .set("payload", payload !== null ? payload : JsonValue.ofNull());
  const sent = emitEvent(event);
  if (!sent.ok) return hostFailure(sent.error);
  return ok(event);
}

export function on_event(): i32 {
  return runEvent(onEvent);
}

function onEvent(event: GuestEvent): void {
  const path = event.path;
  if ((event.eventType == "file_saved" || event.eventType == "file_created") && path !== null && path.endsWith(".md")) {
    const text = readFile(path);
    if (!text.ok) {
      logInfo("word count skipped for " + path + ": " + text.error);
      return;
    }
    const payload = JsonValue.newObject().setString("path", path).setInteger("words", countWords(text.value));
    emitEvent(JsonValue.newObject().setString("event_type", PLUGIN_ID + ".word_count").set("payload", payload));
    return;
  }
  logDebug("event " + event.eventType);
}

export function get_config(): i32 {
  return runGetConfig(JsonValue.newObject().setString("daily_folder", dailyFolder));
}

export function set_config(): i32 {
  return runSetConfig(applyConfig);
}

function applyConfig(config: JsonValue): ConfigReconcile | null {
  const folder = config.getString("daily_folder");
  if (folder !== null && folder.length > 0 && !folder.includes("..") && !folder.startsWith("/")) {
    dailyFolder = folder.endsWith("/") ? folder.substring(0, folder.length - 1) : folder;
  }
  const reconcile = new ConfigReconcile();
  reconcile.config = JsonValue.newObject().setString("daily_folder", dailyFolder);
  if (dailyFolder != "Daily") {
    reconcile.requestPermission("edit_files", [dailyFolder], "Update daily notes in " + dailyFolder + ".");
    reconcile.requestPermission("create_files", [dailyFolder], "Create daily notes in " + dailyFolder + ".");
  }
  return reconcile;
}
