import type { ResourceLimits } from 'node:worker_threads';
import { checkOptions, type HostFunctionRequest } from '@plinth/protocol';
import {
  capMemory,
  DEFAULT_LIMITS,
  inspectModule,
  WASI_NAMESPACE,
} from '@plinth/runtime';
import {
  createPermissionGate,
  type HostAnswer,
  type CapabilityBundle,
  type HostCallContext,
  type PermissionGateOptions,
} from '@plinth/host-kit';
import { toSandboxPath } from './sandbox-path.js';
import { runWasiModule } from './run-wasi-module.js';
import { wasiBundleOptionsSchema } from './wasi-options.js';

/** Module bytes from the calling plugin's own storage (the caller scopes `key` by `pluginId`). */
export type ReadPluginModule = (
  pluginId: string,
  key: string,
) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

export interface WasiBundleOptions extends PermissionGateOptions {
  readModule: ReadPluginModule;
  /** Wall-clock time per run. Default 4 000 ms (see DEFAULT_WASI_TIMEOUT_MS). */
  timeoutMs?: number | undefined;
  /** The module's linear memory, in 64 KiB pages (its declared maximum is capped to this). Default 256. */
  memoryMaxPages?: number | undefined;
  /** stdout + stderr + output files per run. Default 16 MiB. */
  maxOutputBytes?: number | undefined;
  /** Default: the runtime's 32 MiB. */
  moduleMaxBytes?: number | undefined;
  /** Where per-run temp directories are made. Default `os.tmpdir()`. */
  tempRoot?: string | undefined;
  /** The worker's JavaScript heap. */
  resourceLimits?: ResourceLimits | undefined;
  /** Told the temp directory of each run as it is made (e.g. for a test to check it is removed). */
  onTempDir?: ((path: string) => void) | undefined;
}

/**
 * Below the runtime's default call timeout (5 s), so the guest gets the W timeout answer instead of its
 * own call being stopped first. Keep it below the plugin's `timeoutMs` when changing either.
 */
export const DEFAULT_WASI_TIMEOUT_MS = 4_000;
/** The default `maxOutputBytes`: 16 MiB of stdout, stderr and output files per run. */
export const DEFAULT_WASI_OUTPUT_MAX_BYTES = 16 * 1024 * 1024;

type Request = HostFunctionRequest<'host_run_wasi_module'>;

/**
 * `host_run_wasi_module` over `node:wasi`. Its handler is async (a worker runs the module), so it works
 * in the isolated lane only; the in-thread lane answers it with an internal error.
 */
export function createWasiBundle(options: WasiBundleOptions): CapabilityBundle<'wasi'> {
  checkOptions('createWasiBundle', wasiBundleOptionsSchema, options);
  const { permissions, workspaceRoot, ask, audit } = options;
  const gate = createPermissionGate({ permissions, workspaceRoot, ask, audit });
  return {
    host_run_wasi_module: (request, context) =>
      gate.guardRequest('host_run_wasi_module', request, context, () => run(options, request, context)),
  };
}

async function run(
  options: WasiBundleOptions,
  request: Request,
  context: HostCallContext,
): Promise<HostAnswer> {
  // Inputs first: a bad path must be refused before any I/O.
  const files = new Map<string, Uint8Array>();
  for (const [path, base64] of Object.entries(request.files ?? {})) {
    const checked = toSandboxPath(path);
    if (!checked.ok) return { failure: `input file ${checked.message}` };
    files.set(checked.path, base64ToBytes(base64));
  }
  const outputFiles = new Map<string, string>();
  for (const path of request.output_files ?? []) {
    const checked = toSandboxPath(path);
    if (!checked.ok) return { failure: `output file ${checked.message}` };
    outputFiles.set(path, checked.path);
  }
  const badArg = request.args.findIndex((arg) => arg.includes('\0'));
  if (badArg !== -1) return { failure: `args[${badArg}] contains a NUL character` };
  const module = await loadModule(options, request.module_key, context.pluginId);
  if (typeof module === 'string') return { failure: module };
  const result = await runWasiModule({
    module,
    args: [request.module_key, ...request.args],
    stdin: request.stdin === undefined ? new Uint8Array(0) : base64ToBytes(request.stdin),
    files,
    outputFiles,
    timeoutMs: options.timeoutMs ?? DEFAULT_WASI_TIMEOUT_MS,
    maxOutputBytes: options.maxOutputBytes ?? DEFAULT_WASI_OUTPUT_MAX_BYTES,
    tempRoot: options.tempRoot,
    resourceLimits: options.resourceLimits,
    onTempDir: options.onTempDir,
  });
  if (!result.ok) return { failure: result.message };
  return JSON.stringify({
    exit_code: result.exitCode,
    stdout: Buffer.from(result.stdout).toString('base64'),
    stderr: result.stderr,
    ...(request.output_files === undefined
      ? {}
      : {
          files: Object.fromEntries(
            [...result.files].map(([name, bytes]) => [name, Buffer.from(bytes).toString('base64')]),
          ),
        }),
  });
}

/** The module to run, checked and memory-capped, or why not. */
async function loadModule(
  options: WasiBundleOptions,
  key: string,
  pluginId: string,
): Promise<Uint8Array | string> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await options.readModule(pluginId, key);
  } catch (error) {
    return `could not read module "${key}" from plugin storage: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (bytes === undefined || bytes.length === 0) return `module "${key}" not found in plugin storage`;
  const maxBytes = options.moduleMaxBytes ?? DEFAULT_LIMITS.moduleMaxBytes;
  if (bytes.length > maxBytes)
    return `module "${key}" is ${bytes.length} bytes, more than the limit of ${maxBytes}`;
  const inspected = inspectModule(bytes);
  if (!inspected.ok) return `module "${key}" is not valid WebAssembly: ${inspected.problem.message}`;
  const foreign = inspected.inspection.imports.filter(
    (entry) => entry.module !== WASI_NAMESPACE || entry.kind !== 'func',
  );
  if (foreign.length > 0)
    return `module "${key}" imports ${foreign.map((entry) => `${entry.module}.${entry.name}`).join(', ')}; only ${WASI_NAMESPACE} functions are provided`;
  const { exports } = inspected.inspection;
  const missing = [
    ['_start', 'func'],
    ['memory', 'memory'],
  ].filter(([name, kind]) => !exports.some((entry) => entry.name === name && entry.kind === kind));
  if (missing.length > 0)
    return `module "${key}" is not a WASI command: it exports no ${missing.map(([name]) => name).join(' or ')}`;
  const capped = capMemory(bytes, {
    maxPages: options.memoryMaxPages ?? DEFAULT_LIMITS.memoryMaxPages,
    onUnbounded: 'cap',
    onTooLarge: 'cap',
  });
  if (!capped.ok) return `module "${key}" was refused: ${capped.problem.message}`;
  return capped.bytes;
}

const base64ToBytes = (base64: string): Uint8Array => new Uint8Array(Buffer.from(base64, 'base64'));
