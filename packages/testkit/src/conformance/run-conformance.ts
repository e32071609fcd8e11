import { readFileSync } from 'node:fs';
import { checkOptions, PlinthError, type GuestManifest, type JsonValue } from '@plinth/protocol';
import {
  DEFAULT_LIMITS,
  loadModule,
  openProtocolPluginFrom,
  type LoadedModule,
  type PluginLimits,
  type ProtocolPlugin,
} from '@plinth/runtime';
import { createIsolatedLane } from '@plinth/runtime/node';
import type { HarnessRules, PluginHarnessOptions } from '../harness/plugin-harness.js';
import type { Route } from '../twins/http.js';
import {
  checkCommands,
  checkConfig,
  checkEvents,
  checkReload,
  checkUnknownCommand,
  type CheckContext,
} from './call-checks.js';
import { checkBudgets, checkHostCalls } from './host-call-checks.js';
import { checkManifestConsistency, paramsFromCliHints } from './manifest-checks.js';
import { CHECK_IDS, CheckRecorder, type CheckId, type ConformanceReport } from './report.js';
import { ConformanceSession } from './session.js';
import { conformanceOptionsSchema } from '../testkit-options.js';

/** The limits every call of the plugin under test runs with. */
export interface ConformanceBudgets {
  /** Instructions every call may run (the plugin runs metered on either lane); over it is `fuel_exhausted`. */
  fuelPerCall: number;
  /** Wall-clock limit of every call: the backstop on the isolated lane (the in-thread lane has fuel only). */
  callTimeoutMs: number;
  /** The most linear memory the module may declare, in 64 KiB pages. */
  memoryMaxPages: number;
  outputMaxBytes: number;
  hostCallsPerCall: number;
}

/**
 * The budgets used where `ConformanceOptions.budgets` sets none: the runtime's fuel per call, 2 s per call,
 * 256 pages, 16 MiB of output, 10 000 host calls per call.
 */
export const DEFAULT_BUDGETS: Readonly<ConformanceBudgets> = Object.freeze({
  fuelPerCall: DEFAULT_LIMITS.fuelPerCall,
  callTimeoutMs: 2_000,
  memoryMaxPages: 256,
  outputMaxBytes: 16 * 1024 * 1024,
  hostCallsPerCall: 10_000,
});

/** What `runConformance` is told: the module, and how to host it. */
export interface ConformanceOptions {
  /** The module: bytes, or a path to a `.wasm` file. */
  wasm: Uint8Array | string;
  /** Params per command (`{ "<command>": <params> }`); else the CLI hints' params, else `null`. */
  fixtures?: Readonly<Record<string, JsonValue>>;
  /**
   * Default `in-thread`: the plugin runs metered, so fuel stops a call that never returns. `isolated`
   * (the default with `httpRoutes` or `copies`, whose host functions answer asynchronously) adds the
   * wall-clock `callTimeoutMs`.
   */
  lane?: 'in-thread' | 'isolated';
  budgets?: Partial<ConformanceBudgets>;
  /** The app version `min_app_version` is compared with. Default `1.0.0`. */
  hostAppVersion?: string;
  /** The id the manifest must declare, like a plugin directory name. Default: any canonical id. */
  expectedId?: string;
  /** The workspace the plugin sees. Default: a `README.md`, the path the events name. */
  files?: PluginHarnessOptions['files'];
  /** Routes of the in-memory HTTP server; unknown URLs answer 404. */
  httpRoutes?: readonly Route[];
  /**
   * Ids of extra copies of the same module to load as `host_plugin_command` neighbours (each gets Extism
   * config `plugin_id` = its id, which the module must declare as its manifest id), to run plugins that
   * call each other. The plugin and its copies are granted `execute_commands` on one another's commands.
   */
  copies?: readonly string[];
}

const DEFAULT_FILES = { 'README.md': '# Workspace\n\nA note for the Plinth conformance suite. #plinth\n' };

/**
 * Runs the conformance suite against one protocol plugin, in any language: eight checks, each isolated
 * from the others' failures. Pure of process and console: the report is the only result.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  checkOptions('runConformance', conformanceOptionsSchema, options);
  const bytes = typeof options.wasm === 'string' ? new Uint8Array(readFileSync(options.wasm)) : options.wasm;
  const budgets: ConformanceBudgets = { ...DEFAULT_BUDGETS, ...options.budgets };
  const laneKind = options.lane ?? (options.httpRoutes || options.copies?.length ? 'isolated' : 'in-thread');
  const hostAppVersion = options.hostAppVersion ?? '1.0.0';
  const limits: Partial<PluginLimits> = {
    fuelPerCall: budgets.fuelPerCall,
    timeoutMs: budgets.callTimeoutMs,
    memoryMaxPages: budgets.memoryMaxPages,
    outputMaxBytes: budgets.outputMaxBytes,
    hostCallsPerCall: budgets.hostCallsPerCall,
  };
  const checks = Object.fromEntries(CHECK_IDS.map((id) => [id, new CheckRecorder(id)])) as Record<
    CheckId,
    CheckRecorder
  >;
  const finish = (plugin: ConformanceReport['plugin']): ConformanceReport => {
    const list = CHECK_IDS.map((id) => checks[id].toCheck());
    return { plugin, checks: list, passed: list.every((check) => check.status !== 'fail') };
  };
  const skipRest = (reason: string): ConformanceReport['plugin'] => {
    for (const id of CHECK_IDS) if (id !== 'manifest') checks[id].skip(reason);
    return null;
  };
  const manifestCheck = checks.manifest;

  // What a real host does first: check and compile the module, then the full load sequence.
  let loaded: LoadedModule;
  try {
    loaded = await loadModule({ bytes }, { limits });
  } catch (error) {
    failLoad(manifestCheck, 'loading the module', error);
    return finish(skipRest('the module did not load'));
  }
  let probe: ProtocolPlugin;
  try {
    probe = await openProtocolPluginFrom({
      source: { bytes },
      limits,
      hostAppVersion,
      fuel: true,
      initContext: { workspace_root: '/workspace' },
      ...(laneKind === 'isolated' ? { lane: createIsolatedLane } : {}),
      ...(options.expectedId === undefined ? {} : { expectedId: options.expectedId }),
    });
  } catch (error) {
    failLoad(manifestCheck, 'the load sequence (manifest, then init)', error);
    return finish(skipRest('the plugin did not load'));
  }
  const { manifest, warnings } = probe;
  const plugin = { id: manifest.id, version: manifest.version };
  await probe.shutdown().catch(() => undefined);
  checkManifestConsistency(manifest, warnings, manifestCheck);

  const session = new ConformanceSession({
    wasm: bytes,
    lane: laneKind,
    fuel: true,
    limits,
    hostAppVersion,
    files: options.files ?? DEFAULT_FILES,
    ...(options.httpRoutes ? { httpRoutes: options.httpRoutes } : {}),
    ...(options.copies?.length
      ? { copies: options.copies, policy: grantCopies(manifest, options.copies) }
      : {}),
    ...(options.expectedId === undefined ? {} : { expectedId: options.expectedId }),
  });
  try {
    await session.harness();
  } catch (error) {
    await session.fail(manifestCheck, 'loading the plugin into the conformance host', error);
    return finish(skipRest('the plugin did not load into the conformance host'));
  }
  for (const entry of session.logs()) {
    if (entry.level === 'error' && (entry.exportName === 'init' || entry.exportName === 'set_config')) {
      manifestCheck.error(entry.error?.code ?? 'init_failed', entry.message);
    }
  }

  const hinted = paramsFromCliHints(manifest);
  const fixtures = options.fixtures ?? {};
  const context: CheckContext = {
    session,
    manifest,
    exports: loaded.exports,
    paramsFor: (command) =>
      Object.hasOwn(fixtures, command) ? (fixtures[command] ?? null) : (hinted.get(command) ?? null),
    paramsFrom: (command) =>
      Object.hasOwn(fixtures, command) ? 'fixtures' : hinted.has(command) ? 'cli-hint' : 'none',
  };
  const steps: [CheckId, (context: CheckContext, check: CheckRecorder) => Promise<void>][] = [
    ['commands', checkCommands],
    ['unknown-command', checkUnknownCommand],
    ['events', checkEvents],
    ['config', checkConfig],
    ['reload', checkReload],
  ];
  for (const [id, step] of steps) {
    try {
      await step(context, checks[id]);
    } catch (error) {
      // Each step catches what the plugin does; this is a fault of the suite itself, kept to its check.
      checks[id].error('internal_error', `the check itself failed: ${String(error)}`);
    }
  }
  await session.discard().catch(() => undefined);
  checkHostCalls(session.hostCalls, manifest, checks.permissions, session.crossPluginRefusals);
  checkBudgets(
    {
      memory: loaded.memory,
      memoryMaxPages: budgets.memoryMaxPages,
      callTimeoutMs: budgets.callTimeoutMs,
      fuelPerCall: budgets.fuelPerCall,
      lane: laneKind,
      limitHits: session.limitHits,
      calls: session.calls,
    },
    checks.budgets,
  );
  return finish(plugin);
}

/** The requested defaults plus `execute_commands` on every command of the plugin and its copies. */
function grantCopies(manifest: GuestManifest, copies: readonly string[]): HarnessRules {
  const defaults: HarnessRules = manifest.requested_permissions?.defaults ?? {};
  const rule = defaults.execute_commands;
  const targets = [manifest.id, ...copies].flatMap((id) =>
    manifest.commands.map((command) => `${id}:${command}`),
  );
  return { ...defaults, execute_commands: { ...rule, include: [...(rule?.include ?? []), ...targets] } };
}

function failLoad(check: CheckRecorder, where: string, error: unknown): void {
  const code = PlinthError.isInstance(error) ? error.code : 'load_failed';
  check.error(code, `${where}: ${error instanceof Error ? error.message : String(error)}`);
}
