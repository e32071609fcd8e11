import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isSemver, type JsonValue } from '@plinth/protocol';
import { formatReport } from './format-report.js';
import { DEFAULT_BUDGETS, runConformance, type ConformanceOptions } from './run-conformance.js';
import { readWorkspaceFolder, WorkspaceFolderError } from './workspace-folder.js';

/** Where the CLI writes; `process` fits, and tests pass collectors. */
export interface CliIo {
  /** Where the report (text or JSON) and `--help` go. */
  stdout: {
    /** Takes a piece of the output, newlines included; the answer is ignored. */
    write(text: string): unknown;
  };
  /** Where a bad command line (with the usage) and a suite that could not run are told. */
  stderr: {
    /** Takes a piece of the output, newlines included; the answer is ignored. */
    write(text: string): unknown;
  };
}

export const USAGE = `Usage: plinth-test <plugin.wasm> [options]

Runs the Plinth conformance suite against a protocol plugin. The plugin runs metered: every call has a
fuel budget (about one fuel per wasm instruction), and the report lists the fuel each command used.

Options:
  --fixtures <file.json>   params per command: { "<command>": <params> }
  --files <dir>            the workspace the plugin sees: a copy of this folder's files (default: one
                           README.md)
  --json                   print the report as JSON
  --fuel <n>               fuel budget of every call (default ${DEFAULT_BUDGETS.fuelPerCall})
  --lane <lane>            in-thread | isolated (default in-thread, isolated with --copy); fuel stops
                           a spinning call on both, the isolated lane also enforces --timeout
  --timeout <ms>           wall-clock budget of every call on the isolated lane (default ${DEFAULT_BUDGETS.callTimeoutMs})
  --memory-pages <pages>   memory budget in 64 KiB pages (default ${DEFAULT_BUDGETS.memoryMaxPages})
  --app-version <x.y.z>    host app version for min_app_version (default 1.0.0)
  --id <plugin-id>         the id the manifest must declare (like its install directory)
  --copy <plugin-id>       also load a copy of the module under this id (Extism config plugin_id),
                           for plugins that call each other with host_plugin_command; repeatable
  -h, --help               show this help

Exit codes: 0 every check passed, 1 a check failed, 2 usage error.
`;

class UsageError extends Error {}

const positiveInteger = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(`${flag} must be a positive whole number; got ${JSON.stringify(text)}`);
  }
  if (!Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${flag} must be at most ${Number.MAX_SAFE_INTEGER}; got ${JSON.stringify(text)}`);
  }
  return Number(text);
};

function readFixtures(path: string): Record<string, JsonValue> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the fixtures file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the fixtures file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`the fixtures file ${path} must hold a JSON object of { "<command>": <params> }`);
  }
  return value as Record<string, JsonValue>;
}

function parseCommandLine(
  argv: readonly string[],
): (ConformanceOptions & { json: boolean; path: string }) | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        fixtures: { type: 'string' },
        files: { type: 'string' },
        json: { type: 'boolean', default: false },
        fuel: { type: 'string' },
        lane: { type: 'string' },
        timeout: { type: 'string' },
        'memory-pages': { type: 'string' },
        'app-version': { type: 'string' },
        id: { type: 'string' },
        copy: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'missing the plugin .wasm file'
        : `expected one .wasm file, got ${positionals.length}`,
    );
  }
  const path = positionals[0] as string;
  let wasm: Uint8Array;
  try {
    wasm = new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new UsageError(`cannot read the plugin ${path}: ${(error as Error).message}`);
  }
  const lane = values.lane;
  if (lane !== undefined && lane !== 'in-thread' && lane !== 'isolated') {
    throw new UsageError(`--lane must be in-thread or isolated; got ${JSON.stringify(lane)}`);
  }
  const appVersion = values['app-version'];
  if (appVersion !== undefined && !isSemver(appVersion)) {
    throw new UsageError(
      `--app-version must be a semantic version such as 1.2.3; got ${JSON.stringify(appVersion)}`,
    );
  }
  let files;
  try {
    files = values.files === undefined ? undefined : readWorkspaceFolder(values.files);
  } catch (error) {
    if (error instanceof WorkspaceFolderError) throw new UsageError(error.message);
    throw error;
  }
  const fuelPerCall = positiveInteger('--fuel', values.fuel);
  const callTimeoutMs = positiveInteger('--timeout', values.timeout);
  const memoryMaxPages = positiveInteger('--memory-pages', values['memory-pages']);
  return {
    path,
    wasm,
    json: values.json,
    ...(values.fixtures === undefined ? {} : { fixtures: readFixtures(values.fixtures) }),
    ...(files === undefined ? {} : { files }),
    ...(lane === undefined ? {} : { lane }),
    ...(appVersion === undefined ? {} : { hostAppVersion: appVersion }),
    ...(values.id === undefined ? {} : { expectedId: values.id }),
    ...(values.copy === undefined ? {} : { copies: values.copy }),
    budgets: {
      ...(fuelPerCall === undefined ? {} : { fuelPerCall }),
      ...(callTimeoutMs === undefined ? {} : { callTimeoutMs }),
      ...(memoryMaxPages === undefined ? {} : { memoryMaxPages }),
    },
  };
}

/** `plinth-test`: runs the suite and prints the report. Resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let options;
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`plinth-test: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  const { json, path, ...run } = options;
  let report;
  try {
    report = await runConformance(run);
  } catch (error) {
    io.stderr.write(
      `plinth-test: the suite could not run: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, path));
  return report.passed ? 0 : 1;
}
