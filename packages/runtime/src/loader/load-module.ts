import { checkOptions, type PlinthErrorContext } from '@plinth/protocol';
import { resolveLimits, type PluginLimits } from '../limits.js';
import { capMemory, type CapMemoryResult } from '../module/cap-memory.js';
import { checkModuleSize } from '../module/check-module-size.js';
import { inspectModule } from '../module/inspect-module.js';
import type { ImportProblem, WasmExternalKind } from '../module/module-problem.js';
import { validateImports, type ImportPolicy } from '../module/validate-imports.js';
import { defaultCompileCache, sha256Hex, toOwnedBuffer, type CompileCache } from './compile-cache.js';
import { LoadError } from './load-error.js';
import { isMetered } from '../lanes/fuel.js';
import { METERING_VERSION, meterModule } from '../module/meter/meter-module.js';
import { FUEL_NAMESPACE, FUEL_REFILL_IMPORT } from '../module/meter/fuel-abi.js';
import { renameImportModule } from '../module/rename-imports.js';
import { PLINTH_WASI_NAMESPACE, WASI_NAMESPACE } from '../lanes/wasi.js';
import { readModuleSource, type ModuleSource } from './module-source.js';
import { loadModuleArgumentsSchema } from '../options/loading-options.js';

/** Options of `loadModule`: the import policy, the limits it checks, a sha256 pin, the cache and metering. */
export interface LoadModuleOptions extends ImportPolicy {
  /** Only `moduleMaxBytes`, `memoryMaxPages` and `onUnboundedMemory` matter here. Default: DEFAULT_LIMITS. */
  limits?: Partial<PluginLimits>;
  /** Expected hex sha256 of the source bytes; a mismatch refuses the module (load_failed). */
  sha256?: string;
  /**
   * Required to accept a `{ module }` source. A compiled module has no bytes left to read, so its size and
   * memory maximum cannot be checked or capped: only modules the embedding app built or checked itself
   * belong here. Its imports are still validated (the Module API lists them).
   */
  trusted?: boolean;
  /** Where compiled modules are kept; `false` compiles every time. Default: one cache per realm. */
  cache?: CompileCache | false;
  /** Names the plugin in errors, when the caller knows it (before the manifest is read it may not). */
  pluginId?: string;
  pluginVersion?: string;
  /**
   * Meter the module: rewrite it to count the instructions it runs against a fuel budget (see
   * `PluginLimits.fuelPerCall`). A module the metering cannot handle is refused (`invalid_module`), never
   * run unmetered. The metered module is cached by the source's hash and the metering version.
   */
  fuel?: boolean;
  /**
   * Serve WASI with Plinth's own (a lane's `wasi` factory) rather than @extism/extism's: the module's
   * `wasi_snapshot_preview1` imports are moved to `plinth:wasi` before compiling (cached by hash too).
   */
  ownWasi?: boolean;
}

/** What the loader did to the module's linear memory. */
export interface LoadedMemory {
  /** `unchecked` only for a trusted `{ module }` source, whose limits cannot be read. */
  action: 'unchanged' | 'capped' | 'unchecked';
  /** The maximum the module declares, in 64 KiB pages; `undefined` when it declares none. */
  declaredMax: number | undefined;
  /** The maximum the guest's memory can reach now, in pages; `undefined` when unknown or no memory. */
  effectiveMax: number | undefined;
  /** In plain words, for a log line, e.g. "it declares no maximum; rewritten to a maximum of 256 pages". */
  reason: string;
}

/** A module `loadModule` checked and compiled, with what it found and did; ready for a lane. */
export interface LoadedModule {
  module: WebAssembly.Module;
  /** Hex sha256 of the source bytes (before any capping); `null` for a `{ module }` source. */
  sha256: string | null;
  /** Size of the source bytes; `null` for a `{ module }` source. */
  size: number | null;
  memory: LoadedMemory;
  /** Names of the exported functions. */
  exports: string[];
  /** Whether the compiled module counts fuel (`fuel: true`); a trusted `{ module }` source says so itself. */
  metered: boolean;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * Reads, checks and compiles a module, all before any instance exists: an engine that meets an import it
 * cannot resolve or a memory it should not grant fails late, and in @extism/extism's worker mode takes the
 * process down. Every refusal is a LoadError with the code, the plugin and every problem found.
 */
export async function loadModule(
  source: ModuleSource,
  options: LoadModuleOptions = {},
): Promise<LoadedModule> {
  checkOptions('loadModule', loadModuleArgumentsSchema, { source, options });
  return loadCheckedModule(source, options);
}

/** `loadModule` for callers that checked their own options already (`openPlugin` and its siblings). */
export async function loadCheckedModule(
  source: ModuleSource,
  options: LoadModuleOptions = {},
): Promise<LoadedModule> {
  const limits = resolveLimits(options.limits);
  const context: PlinthErrorContext = {
    ...(options.pluginId === undefined ? {} : { pluginId: options.pluginId }),
    ...(options.pluginVersion === undefined ? {} : { pluginVersion: options.pluginVersion }),
  };
  const subject = options.pluginId
    ? `plugin ${options.pluginId}${options.pluginVersion ? `@${options.pluginVersion}` : ''}`
    : 'module';
  const pin = options.sha256;
  if (pin !== undefined && !SHA256_HEX.test(pin)) {
    throw new LoadError(
      'load_failed',
      `Cannot load ${subject}: the sha256 pin "${pin}" is not 64 hex digits`,
      context,
    );
  }

  const read = await readModuleSource(source, { maxBytes: limits.moduleMaxBytes, context, subject });
  const refuse = (
    code: LoadError['code'],
    why: string,
    extra: ConstructorParameters<typeof LoadError>[2] = {},
  ) =>
    new LoadError(
      code,
      `Cannot load ${subject}${read.origin === undefined ? '' : ` from ${read.origin}`}: ${why}`,
      { ...context, ...extra },
    );

  if (read.kind === 'module') {
    if (options.trusted !== true) {
      throw refuse(
        'load_failed',
        'a compiled WebAssembly.Module cannot be checked (its size and memory maximum need the bytes); pass the bytes, or set trusted: true',
      );
    }
    if (pin !== undefined) {
      throw refuse(
        'load_failed',
        'a sha256 pin needs the module bytes; a compiled WebAssembly.Module has none',
      );
    }
    const imports = WebAssembly.Module.imports(read.module)
      // A module this loader metered earlier imports the fuel refill, which the lanes provide.
      .filter(
        ({ module, name, kind }) =>
          !(module === FUEL_NAMESPACE && name === FUEL_REFILL_IMPORT && kind === 'function'),
      )
      .map(({ module, name, kind }) => ({ module, name, kind: externalKind(kind) }));
    checkImports(imports, options, refuse);
    return {
      module: read.module,
      metered: isMetered(read.module),
      sha256: null,
      size: null,
      memory: {
        action: 'unchecked',
        declaredMax: undefined,
        effectiveMax: undefined,
        reason: 'a trusted compiled module: its memory limits cannot be read',
      },
      exports: WebAssembly.Module.exports(read.module)
        .filter((entry) => entry.kind === 'function')
        .map((entry) => entry.name),
    };
  }

  const { bytes } = read;
  // O(1), so before the hash and the parse, which read every byte.
  const size = checkModuleSize(bytes, limits.moduleMaxBytes);
  if (!size.ok) {
    throw refuse('module_too_large', size.problem.message, {
      limit: 'moduleMaxBytes',
      problems: [size.problem],
    });
  }
  const sha256 = await sha256Hex(bytes);
  if (pin !== undefined && pin.toLowerCase() !== sha256) {
    throw refuse('load_failed', `sha256 mismatch: expected ${pin.toLowerCase()}, got ${sha256}`);
  }
  const inspected = inspectModule(bytes);
  if (!inspected.ok) {
    throw refuse('invalid_module', `not a valid WebAssembly module: ${inspected.problem.message}`, {
      problems: [inspected.problem],
    });
  }
  checkImports(inspected.inspection.imports, options, refuse);
  const capped = capMemory(bytes, {
    maxPages: limits.memoryMaxPages,
    onUnbounded: limits.onUnboundedMemory,
    onTooLarge: limits.onUnboundedMemory,
  });
  if (!capped.ok) {
    const { problem } = capped;
    throw problem.code === 'memory_refused'
      ? refuse('memory_refused', problem.message, { limit: 'memoryMaxPages', problems: [problem] })
      : refuse('invalid_module', problem.message, { problems: [problem] });
  }
  const compiledSha = capped.action === 'capped' ? await sha256Hex(capped.bytes) : sha256;
  const cache = options.cache === undefined ? defaultCompileCache() : options.cache;
  const fuel = options.fuel === true;
  const ownWasi = options.ownWasi === true;
  const compiledBytes = (): Uint8Array => {
    const served = ownWasi
      ? renameImportModule(capped.bytes, WASI_NAMESPACE, PLINTH_WASI_NAMESPACE)
      : capped.bytes;
    if (!fuel) return served;
    const metered = meterModule(served);
    if (!metered.ok) {
      throw refuse('invalid_module', metered.problem.message, { problems: [metered.problem] });
    }
    return metered.bytes;
  };
  let module: WebAssembly.Module;
  try {
    module = cache
      ? await cache.compile(
          `${compiledSha}${ownWasi ? '+wasi-v1' : ''}${fuel ? `+fuel-v${METERING_VERSION}` : ''}`,
          compiledBytes,
        )
      : await WebAssembly.compile(toOwnedBuffer(compiledBytes()));
  } catch (error) {
    if (error instanceof LoadError) throw error;
    // The reader checks structure only; the engine also validates code (types, stack, instructions).
    const why = error instanceof Error ? error.message : String(error);
    throw refuse('invalid_module', `the engine refused to compile it: ${why}`, { cause: error });
  }
  return {
    module,
    sha256,
    size: size.size,
    memory: memoryRecord(capped),
    exports: inspected.inspection.exports.filter((entry) => entry.kind === 'func').map((entry) => entry.name),
    metered: fuel,
  };
}

function checkImports(
  imports: readonly { module: string; name: string; kind: WasmExternalKind }[],
  policy: ImportPolicy,
  refuse: (
    code: 'import_not_allowed',
    why: string,
    extra: { problems: readonly ImportProblem[] },
  ) => LoadError,
): void {
  const validation = validateImports({ imports }, policy);
  if (validation.ok) return;
  const { problems } = validation;
  const why =
    problems.length === 1
      ? problems[0].message
      : `${problems.length} imports are not allowed: ${problems.map((problem) => problem.message).join('; ')}`;
  throw refuse('import_not_allowed', why, { problems });
}

function memoryRecord(capped: CapMemoryResult & { ok: true }): LoadedMemory {
  return {
    action: capped.action,
    declaredMax: capped.declaredMax,
    effectiveMax: capped.effectiveMax,
    reason: capped.reason,
  };
}

function externalKind(kind: WebAssembly.ImportExportKind | 'tag'): WasmExternalKind {
  return kind === 'function' ? 'func' : kind;
}
