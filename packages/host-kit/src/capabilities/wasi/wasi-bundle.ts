import { checkOptions, type HostFunctionRequest } from '@plinth/protocol';
import type { CapabilityBundle } from '../../bundle/coverage.js';
import type { HostAnswer, HostCallContext } from '../../bundle/host-bundle.js';
import { permissionGate, type PermissionGateOptions } from '../../bundle/permission-gate.js';
import { wasiBundleOptionsSchema } from '../../options/capability-options.js';
import { decodeBase64, encodeBase64 } from '../base64.js';
import { toSandboxPath } from './sandbox-path.js';
import type { WasiRun, WasiRunFailure, WasiRunner, WasiRunOutput } from './wasi-runner.js';

/** Module bytes from the calling plugin's own storage (the caller scopes `key` by `pluginId`). */
export type ReadPluginModule = (
  pluginId: string,
  key: string,
) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

/** The limits of one `host_run_wasi_module` run. */
export interface WasiLimits {
  /** Wall-clock time per run. */
  timeoutMs: number;
  /** The module's linear memory, in 64 KiB pages (its declared maximum is capped to this). */
  memoryMaxPages: number;
  /** stdout + stderr + output files per run. */
  maxOutputBytes: number;
  /** The module's size, checked before it is handed to the runner. */
  moduleMaxBytes: number;
}

/** The limits `createWasiBundle` uses for each option left out. */
export const DEFAULT_WASI_LIMITS: Readonly<WasiLimits> = Object.freeze({
  // Below the runtime's default call timeout (5 s), so the guest gets the W timeout answer instead of its
  // own call being stopped first. Keep it below the plugin's `timeoutMs` when changing either.
  timeoutMs: 4_000,
  memoryMaxPages: 256,
  maxOutputBytes: 16 * 1024 * 1024,
  // The runtime's default `moduleMaxBytes`.
  moduleMaxBytes: 32 * 1024 * 1024,
});

/** Options of `createWasiBundle`: the runner, where modules come from, the permission gate and the limits. */
export interface WasiBundleOptions extends PermissionGateOptions, Partial<WasiLimits> {
  runner: WasiRunner;
  readModule: ReadPluginModule;
}

const NAME = 'host_run_wasi_module';
type Request = HostFunctionRequest<typeof NAME>;

const utf8 = new TextDecoder();

/**
 * `host_run_wasi_module` over a runner: checks `plugin_storage` on `module_key`, then the paths and
 * arguments (before any I/O), reads the module from the calling plugin's storage and hands the run to the
 * runner with the limits; answers `{exit_code, stdout: base64, stderr, files?}` or the W failure. The
 * handler answers a promise, so it works in the isolated lane only; the in-thread lane answers it with an
 * internal error.
 */
export function createWasiBundle(options: WasiBundleOptions): CapabilityBundle<'wasi'> {
  checkOptions('createWasiBundle', wasiBundleOptionsSchema, options);
  const { permissions, workspaceRoot, ask, audit } = options;
  const gate = permissionGate({ permissions, workspaceRoot, ask, audit });
  const limits: WasiLimits = {
    timeoutMs: options.timeoutMs ?? DEFAULT_WASI_LIMITS.timeoutMs,
    memoryMaxPages: options.memoryMaxPages ?? DEFAULT_WASI_LIMITS.memoryMaxPages,
    maxOutputBytes: options.maxOutputBytes ?? DEFAULT_WASI_LIMITS.maxOutputBytes,
    moduleMaxBytes: options.moduleMaxBytes ?? DEFAULT_WASI_LIMITS.moduleMaxBytes,
  };

  const run = async (request: Request, context: HostCallContext): Promise<HostAnswer> => {
    const prepared = prepareRun(request);
    if (typeof prepared === 'string') return { failure: prepared };
    const module = await readModule(options, request.module_key, context.pluginId, limits.moduleMaxBytes);
    if (typeof module === 'string') return { failure: module };
    const result = await runSafely(options.runner, {
      ...prepared,
      module,
      timeoutMs: limits.timeoutMs,
      memoryMaxPages: limits.memoryMaxPages,
      maxOutputBytes: limits.maxOutputBytes,
    });
    if ('failure' in result) return { failure: describeFailure(result, limits) };
    const overflow = outputOverflow(result, prepared.outputFiles, limits.maxOutputBytes);
    if (overflow !== null) return { failure: overflow };
    return renderOutput(result, request.output_files === undefined ? undefined : prepared.outputFiles);
  };
  return {
    [NAME]: (request, context) => gate.guardRequest(NAME, request, context, () => run(request, context)),
  };
}

type PreparedRun = Omit<WasiRun, 'module' | 'timeoutMs' | 'memoryMaxPages' | 'maxOutputBytes'>;

/** The run's inputs from the request, or what is wrong with them (checked before any I/O). */
function prepareRun(request: Request): PreparedRun | string {
  const files = new Map<string, Uint8Array>();
  for (const [path, base64] of Object.entries(request.files ?? {})) {
    const checked = toSandboxPath(path);
    if (!checked.ok) return `input file ${checked.message}`;
    files.set(checked.path, decodeBase64(base64));
  }
  const outputFiles = new Map<string, string>();
  for (const path of request.output_files ?? []) {
    const checked = toSandboxPath(path);
    if (!checked.ok) return `output file ${checked.message}`;
    outputFiles.set(path, checked.path);
  }
  const badArg = request.args.findIndex((arg) => arg.includes('\0'));
  if (badArg !== -1) return `args[${badArg}] contains a NUL character`;
  return {
    moduleKey: request.module_key,
    args: [request.module_key, ...request.args],
    env: {},
    stdin: request.stdin === undefined ? new Uint8Array(0) : decodeBase64(request.stdin),
    files,
    outputFiles,
  };
}

/** The module's bytes from the plugin's storage, or why there are none to run. */
async function readModule(
  options: WasiBundleOptions,
  key: string,
  pluginId: string,
  maxBytes: number,
): Promise<Uint8Array | string> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await options.readModule(pluginId, key);
  } catch (error) {
    return `could not read module "${key}" from plugin storage: ${describe(error)}`;
  }
  if (bytes === undefined || bytes.length === 0) return `module "${key}" not found in plugin storage`;
  if (bytes.length > maxBytes)
    return `module "${key}" is ${bytes.length} bytes, more than the limit of ${maxBytes}`;
  return bytes;
}

async function runSafely(runner: WasiRunner, run: WasiRun): Promise<WasiRunOutput | WasiRunFailure> {
  try {
    return await runner.run(run);
  } catch (error) {
    // A runner should answer failures, not throw; a throw still must not reach the guest as a trap.
    return { failure: 'failed', message: `could not run module "${run.moduleKey}": ${describe(error)}` };
  }
}

function describeFailure(result: WasiRunFailure, limits: WasiLimits): string {
  if (result.failure === 'timeout') {
    return `timed out after ${limits.timeoutMs} ms (timeoutMs); the module was stopped`;
  }
  return result.message;
}

/**
 * What crossed `maxOutputBytes`, counted as a runner must (stdout, stderr, then the output files in request
 * order), or null. Runners stop at the limit themselves; this keeps one that does not from answering more.
 */
function outputOverflow(
  output: WasiRunOutput,
  requested: ReadonlyMap<string, string>,
  maxBytes: number,
): string | null {
  const parts: [string, Uint8Array | undefined][] = [
    ['stdout', output.stdout],
    ['stderr', output.stderr],
    ...[...requested.keys()].map((name): [string, Uint8Array | undefined] => [
      `output file "${name}"`,
      output.files.get(name),
    ]),
  ];
  let total = 0;
  for (const [what, bytes] of parts) {
    total += bytes?.length ?? 0;
    if (total > maxBytes) {
      return `${what} makes the output larger than the limit of ${maxBytes} bytes (maxOutputBytes)`;
    }
  }
  return null;
}

/** The success answer; `files` only when the guest asked for output files, and only those it asked for. */
function renderOutput(output: WasiRunOutput, requested: ReadonlyMap<string, string> | undefined): string {
  const files: Record<string, string> = {};
  for (const name of requested?.keys() ?? []) {
    const bytes = output.files.get(name);
    if (bytes !== undefined) files[name] = encodeBase64(bytes);
  }
  return JSON.stringify({
    exit_code: output.exitCode,
    stdout: encodeBase64(output.stdout),
    stderr: utf8.decode(output.stderr),
    ...(requested === undefined ? {} : { files }),
  });
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
