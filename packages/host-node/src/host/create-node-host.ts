import { coverage } from '@plinth/host-kit';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { permissionRequest } from '@plinth/permissions';
import { checkOptions, PlinthError, type GuestManifest, type PermissionType } from '@plinth/protocol';
import {
  createInThreadLane,
  PluginRegistry,
  resolveLimits,
  type LaneOptions,
  type PluginInfo,
  type ProtocolLogEntry,
  type RegistryChange,
} from '@plinth/runtime';
import { createIsolatedLane, nodeWasi } from '@plinth/runtime/node';
import type { SignatureStatus } from '@plinth/signing';
import {
  installPlugin,
  loadPluginDirectory,
  loadPluginFromDirectory,
  pluginDirectoryEntry,
  pluginDirectoryOpener,
  uninstallPlugin,
  watchPluginsRoot,
  type DirectoryOpenOptions,
  type DirectoryProblem,
  type InstallSource,
  type PluginsRootWatcher,
  type WatchEvent,
} from '../directory/index.js';
import { createHostBundles } from './host-bundles.js';
import { hostFileRules } from './host-files.js';
import { listener, loadProgress, messageOf, protocolLog, registryLog } from './host-log.js';
import { HostObservers } from './host-observers.js';
import { DEFAULT_DENIALS_KEPT, openHostPolicy } from './host-policy.js';
import { prepareCommandCall } from './command-call.js';
import { nodeHostOptionsSchema } from './node-host-options.js';
import type { NodeHost, NodeHostInstallOptions, NodeHostOptions } from './node-host-types.js';
import { describePlugin, type OpenedModule } from './plugin-view.js';
import { chooseLane, laneFactoryFor, type LaneDecision } from './lane-choice.js';
import { allowedPathsOf, grantedMounts } from './generic-mounts.js';
import type { ExtismDescription } from '../directory/generic-plugin.js';

/**
 * One Node host: a workspace, a plugins root, one SQLite database (or the app's own stores) and one policy
 * file, composed from the package's bundles, the runtime's registry and the plugin-directory loader. With
 * lane `auto` (the default) each plugin is metered and runs in-thread unless a granted host function
 * answers asynchronously (see `chooseLane`); on the in-thread lane an asynchronous handler would answer
 * an internal error, which is why such plugins go to the isolated lane. `host_ws_request` runs on
 * one WebSocket bridge per host (both lanes): frames reach the plugin's `on_connected`,
 * `handle_text_message`, `handle_binary_message` and `on_disconnected` through the registry; a plugin's
 * connection is stopped when it is unloaded or quarantined. A plugin's own file writes are broadcast to
 * every other plugin.
 */
export async function createNodeHost(options: NodeHostOptions): Promise<NodeHost> {
  checkOptions('createNodeHost', nodeHostOptionsSchema, options);
  const limits = resolveLimits(options.limits);
  const watch = options.watch !== false;
  const root = resolve(options.pluginsRoot);
  const workspaceRoot = resolve(options.workspaceRoot);
  const observers = new HostObservers();
  const log = observers.after('onLog', options.onLog);
  const event = observers.after('onEvent', options.onEvent);
  const call = observers.after('onCall', options.onCall);
  const change = observers.after('onChange', options.onChange);
  const progress = listener(options.onProgress);

  if (options.stores !== undefined && options.storagePath !== undefined) {
    throw new PlinthError(
      'invalid_options',
      'createNodeHost: give storagePath (a SQLite file) or stores (e.g. PostgreSQL), not both',
    );
  }
  const storagePath = resolve(options.storagePath ?? join(root, '.plinth', 'plinth.db'));
  await prepareFolders(options, workspaceRoot, root);
  if (options.stores === undefined) await mkdir(dirname(storagePath), { recursive: true });
  const fileRules = hostFileRules(options, workspaceRoot, root, storagePath);
  const policy = await openHostPolicy({
    policy: options.policy,
    watch,
    denialsKept: options.denialsKept ?? DEFAULT_DENIALS_KEPT,
    log,
    onChange: () => void relane(),
  });
  // Each part of the host that follows registry changes subscribes once it exists (the registry is built
  // first because the bundles serve through it); the app's own listener hears every change after them.
  const registryListeners: ((registryChange: RegistryChange) => void)[] = [];
  const registry = new PluginRegistry({
    permissions: policy.checker,
    onChange: (registryChange) => {
      for (const listener of registryListeners) listener(registryChange);
      change(registryChange);
    },
    log: (entry) => log(registryLog(entry)),
    // Read on every call: present only while someone takes call records, so that otherwise the registry
    // hands calls no receipt (its allocation-free hot path).
    get onCall() {
      return options.onCall !== undefined || observers.hears('onCall') ? call : undefined;
    },
  });
  let hostBundles: ReturnType<typeof createHostBundles>;
  try {
    hostBundles = createHostBundles({
      workspaceRoot,
      storage: options.stores ?? { path: storagePath },
      fileRules,
      permissions: policy.checker,
      policy: policy.source,
      registry,
      limits,
      allowPrivateHosts: options.allowPrivateHosts,
      runtimeContext: options.runtimeContext,
      log,
      event,
    });
  } catch (error) {
    await policy.close();
    throw error;
  }

  // A plugin out of service loses its connection; a hot reload keeps it (frames go to the new instance).
  registryListeners.push((registryChange) => {
    if (registryChange.type === 'unloaded' || registryChange.type === 'quarantined') {
      hostBundles.ws.disconnect(registryChange.pluginId);
    }
  });

  /** The signature state and module sha256 of each plugin's running instance, as its folder opened. */
  const modules = new Map<string, OpenedModule>();
  const laneMode = options.lane ?? 'auto';
  // Where a new module's manifest is read at install: the isolated lane unless every plugin is trusted.
  const lane = laneMode === 'in-thread' ? createInThreadLane : createIsolatedLane;
  /** The lane each plugin's instance was opened in, with its module, to check again when grants change. */
  const lanes = new Map<string, { decision: LaneDecision; module: LaneOptions['module'] }>();
  const decide = (pluginId: string, module: LaneOptions['module']): LaneDecision =>
    chooseLane({
      mode: laneMode,
      pluginId,
      module,
      policy: policy.current(),
      fuelPerCall: limits.fuelPerCall,
      asyncStores: options.stores !== undefined && options.stores.synchronous !== true,
    });
  let relaning: Promise<void> = Promise.resolve();
  /** Reloads every plugin whose lane the current policy decides differently (a grant or revoke changed it). */
  const relane = (): Promise<void> => {
    relaning = relaning.then(async () => {
      if (closing) return;
      // A generic plugin whose granted folders changed reopens with the folders it has now (any lane mode).
      for (const [pluginId, mounted] of genericMounts) {
        const now = JSON.stringify(grantedMounts({ ...mounted.context, policy: policy.current() }).mounts);
        if (now === mounted.signature || registry.get(pluginId) === undefined) continue;
        await registry.reload(pluginId, openerFor(pluginId)).catch((error: unknown) =>
          log({
            level: 'error',
            source: 'host',
            pluginId,
            message: `reload with its granted folders failed: ${messageOf(error)}`,
          }),
        );
      }
      if (laneMode !== 'auto') return;
      for (const [pluginId, opened] of lanes) {
        const next = decide(pluginId, opened.module);
        if (next.kind === opened.decision.kind || registry.get(pluginId) === undefined) continue;
        log({
          level: 'info',
          source: 'host',
          pluginId,
          message: `plugin ${pluginId} moves to the ${next.kind} lane: ${next.reason}`,
        });
        await registry.reload(pluginId, openerFor(pluginId)).catch((error: unknown) =>
          log({
            level: 'error',
            source: 'host',
            pluginId,
            message: `reload into the ${next.kind} lane failed: ${messageOf(error)}`,
          }),
        );
      }
    });
    return relaning;
  };
  /** Each generic plugin's WASI folders as last opened, to reopen it when grants change them. */
  const genericMounts = new Map<
    string,
    { signature: string; context: Omit<Parameters<typeof grantedMounts>[0], 'policy'> }
  >();
  // What the host remembers of a plugin's running instance goes with the plugin.
  registryListeners.push((registryChange) => {
    if (registryChange.type !== 'unloaded') return;
    lanes.delete(registryChange.pluginId);
    genericMounts.delete(registryChange.pluginId);
    modules.delete(registryChange.pluginId);
  });
  const mountsFor = (pluginId: string, description: ExtismDescription): Record<string, string> => {
    const context = { pluginId, description, workspaceRoot, fileRules };
    const decision = grantedMounts({ ...context, policy: policy.current() });
    genericMounts.set(pluginId, { signature: JSON.stringify(decision.mounts), context });
    for (const mount of decision.mounts) {
      log({
        level: 'info',
        source: 'host',
        pluginId,
        message: `mounts ${mount.hostPath} at ${mount.guestPath} for WASI (${mount.note})`,
      });
    }
    for (const why of decision.refused) {
      log({ level: 'warn', source: 'host', pluginId, message: `does not mount ${why}` });
    }
    return allowedPathsOf(decision.mounts);
  };
  const directory: DirectoryOpenOptions = {
    hostAppVersion: options.hostAppVersion,
    bundleFor: () => hostBundles.bundle,
    laneFor: (entry) => (laneOptions) => {
      const decision = decide(entry.id, laneOptions.module);
      lanes.set(entry.id, { decision, module: laneOptions.module });
      return laneFactoryFor(decision.kind)(laneOptions);
    },
    openOptions: () => ({
      ...(laneMode === 'auto' ? { fuel: true } : {}),
      limits,
      initContext: { workspace_root: workspaceRoot },
      log: (entry: ProtocolLogEntry) => log(protocolLog(entry)),
      onHandlerError: (error, functionName, context) =>
        log({
          level: 'error',
          source: 'host',
          pluginId: context.pluginId,
          message: `${functionName} failed inside the host: ${messageOf(error)}`,
        }),
    }),
    genericOpenOptions: (entry, description) => ({
      ...(laneMode === 'auto' ? { fuel: true } : {}),
      // Plinth's WASI: stdout and stderr to the log, proc_exit typed, and the folders granted.
      wasi: nodeWasi,
      allowedPaths: mountsFor(entry.id, description),
      limits,
      httpTransport: hostBundles.httpTransport,
      httpPermissions: policy.checker,
      ...(options.extismFunctions ? { functions: options.extismFunctions } : {}),
      guestLog: (line) =>
        log({
          level: line.level,
          source: 'guest',
          pluginId: entry.id,
          message: line.message,
          ...(line.source === 'guest' ? {} : { detail: { stream: line.source } }),
        }),
      onHandlerError: (error, functionName) =>
        log({
          level: 'error',
          source: 'host',
          pluginId: entry.id,
          message: `${functionName} failed inside the host: ${messageOf(error)}`,
        }),
    }),
    onWarning: (pluginId, message) => log({ level: 'warn', source: 'host', pluginId, message }),
    // Read on every open: a trust section edited in the policy applies from the next load or reload.
    trust: () => policy.current().trust,
    onSignature: (pluginId, status, module) => {
      modules.set(pluginId, { signature: status, sha256: module.sha256 });
      if (status.state === 'unsigned' && status.policy === 'warn') {
        log({
          level: 'warn',
          source: 'host',
          pluginId,
          message: `plugin ${pluginId} is unsigned (no plugin.wasm.sig), so who built it is unknown; set trust.require_signature in the policy to refuse unsigned plugins, or false to load them without this warning`,
          detail: { signature: 'unsigned' },
        });
      }
    },
  };
  /**
   * The opener of a reload the host starts itself, so its downgrade allowance is this call's alone (the
   * registry keeps the last opener for reloads without one).
   */
  const openerFor = (id: string, allowDowngrade = false) =>
    pluginDirectoryOpener(pluginDirectoryEntry(root, id), {
      ...directory,
      runningVersion: (pluginId) => registry.get(pluginId)?.version,
      ...(allowDowngrade ? { allowDowngrade: true } : {}),
    });

  let watcher: PluginsRootWatcher | undefined;
  let started: ReturnType<NodeHost['start']> | undefined;
  let closing: Promise<void> | undefined;
  const open = (what: string): void => {
    if (closing) throw closedError(what);
  };
  const view = (info: PluginInfo) =>
    describePlugin(info, policy.current(), lanes.get(info.id)?.decision, modules.get(info.id));
  /** Adds what the manifest asks for and the policy lacks, only when `consent` says so. */
  const grantWithConsent = async (
    manifest: GuestManifest,
    consent: NonNullable<NodeHostInstallOptions['grantRequested']>,
  ): Promise<PermissionType[]> => {
    const request = permissionRequest(manifest, policy.current());
    if (request === undefined || consent === false) return [];
    if (consent !== true && !(await consent(request))) return [];
    const reasons = manifest.requested_permissions?.reasons ?? {};
    const added = await policy.applyDefaults({
      id: manifest.id,
      requested_permissions: { defaults: request.permissions, reasons },
    });
    if (added.length > 0) {
      log({
        level: 'info',
        source: 'permissions',
        pluginId: manifest.id,
        message: `granted what ${manifest.id} asks for, with consent: ${added.join(', ')}`,
        detail: { added, reasons },
      });
    }
    return added;
  };
  /** Whether an install wrote a signature other than the one the running instance was checked with. */
  const resigned = (id: string, status: SignatureStatus): boolean => {
    const current = modules.get(id)?.signature;
    if (current === undefined || current.state !== status.state) return true;
    return status.state === 'signed' && current.state === 'signed' && current.signedAt !== status.signedAt;
  };
  const loadOne = async (id: string): Promise<PluginInfo> => {
    const outcome = await loadPluginFromDirectory({ ...directory, root, registry, id });
    if (!('code' in outcome)) return outcome;
    const loaded = registry.get(id);
    // The plugins-root watcher may have loaded it first.
    if (outcome.code === 'already_loaded' && loaded) return loaded;
    throw problemError(outcome);
  };

  const reload: NodeHost['reload'] = async (pluginId, reloadOptions = {}) => {
    open('reload');
    const info =
      registry.get(pluginId) === undefined
        ? await loadOne(pluginId)
        : await registry.reload(pluginId, openerFor(pluginId, reloadOptions.allowDowngrade === true));
    await watcher?.markCurrent(pluginId);
    return info;
  };

  const start = async (): ReturnType<NodeHost['start']> => {
    const result = await loadPluginDirectory({
      ...directory,
      root,
      registry,
      onProgress: (event) => progress(loadProgress(event)),
    });
    for (const problem of result.problems) {
      log({
        level: 'warn',
        source: 'host',
        pluginId: problem.name,
        message: problem.message,
        detail: { code: problem.code },
      });
    }
    if (watch && !closing) {
      const opened = await watchPluginsRoot({ ...directory, root, registry, onEvent: (e) => onWatch(e) });
      if (closing) await opened.close();
      else watcher = opened;
    }
    return { loaded: result.loaded.map(view), problems: result.problems };
  };

  const onWatch = (event: WatchEvent): void => {
    if (event.type === 'failed') {
      log({
        level: 'error',
        source: 'host',
        pluginId: event.pluginId,
        message: `${event.action} after a change in the plugins root failed: ${event.problem.message}`,
        detail: { code: event.problem.code, action: event.action },
      });
    } else if (event.type === 'error') {
      log({ level: 'error', source: 'host', message: `plugins root watcher: ${event.error.message}` });
    }
  };

  const close = async (): Promise<void> => {
    const steps: [string, () => Promise<unknown>][] = [
      ['start', async () => started?.catch(() => undefined)],
      ['the plugins root watcher', async () => watcher?.close()],
      // Before the plugins go, so no frame arrives for a plugin that is shutting down.
      ['WebSocket connections', async () => hostBundles.ws.close()],
      ['file event delivery', () => hostBundles.settled()],
      ['the plugins', () => registry.close()],
      ['HTTP and the database', () => hostBundles.close()],
      ['the policy', () => policy.close()],
    ];
    // Each step runs even when an earlier one failed, so nothing stays open.
    for (const [what, step] of steps) {
      await step().catch((error: unknown) =>
        log({ level: 'error', source: 'host', message: `closing ${what} failed: ${messageOf(error)}` }),
      );
    }
  };

  return {
    start() {
      if (closing) return Promise.reject(closedError('start'));
      started ??= start();
      return started;
    },
    plugins: () => registry.list().map(view),
    coverage: () => coverage(hostBundles.bundle),
    plugin(id) {
      const info = registry.get(id);
      return info && view(info);
    },
    async command(pluginId, command, params = null, callOptions = {}) {
      open('command');
      const call = prepareCommandCall({
        pluginId,
        command,
        params,
        options: callOptions,
        cancellation: hostBundles.cancellation,
      });
      try {
        return await registry.command(pluginId, command, call.params, call.options);
      } finally {
        call.release();
      }
    },
    async install(source, installOptions = {}) {
      open('install');
      const { sha256, replace, grantRequested = false, signature, allowDowngrade = false } = installOptions;
      const origin = 'path' in source ? source.path : 'url' in source ? source.url : 'bytes';
      const { trust } = policy.current();
      const result = await installPlugin({
        onStep: (step) => progress({ type: 'installing', step, source: origin }),
        root,
        source: installSource(source),
        ...(replace === true ? { replace: true } : {}),
        hostAppVersion: options.hostAppVersion,
        limits,
        lane,
        ...(sha256 === undefined ? {} : { sha256 }),
        ...(signature === undefined ? {} : { signature }),
        ...(allowDowngrade ? { allowDowngrade: true } : {}),
        ...(trust === undefined ? {} : { trust }),
      });
      let granted: PermissionType[];
      try {
        granted = await grantWithConsent(result.manifest, grantRequested);
        const running = registry.get(result.id) !== undefined;
        if (running && (result.outcome === 'replaced' || resigned(result.id, result.signature))) {
          await registry.reload(result.id, openerFor(result.id, allowDowngrade));
        } else if (!running) {
          await loadOne(result.id);
        } else if (granted.length > 0) {
          await relane();
        }
        // The watcher sees the files this install wrote; the plugin already runs them.
        await watcher?.markCurrent(result.id);
      } catch (error) {
        // A plugin that cannot run (or whose consent failed) is not left installed; one there before stays.
        if (result.outcome === 'installed')
          await uninstallPlugin({ root, id: result.id }).catch(() => undefined);
        throw error;
      }
      if (result.outcome !== 'unchanged') change({ type: 'installed', pluginId: result.id });
      return { ...result, granted, notGranted: permissionRequest(result.manifest, policy.current()) };
    },
    async inspect(source, inspectOptions = {}) {
      open('inspect');
      const { sha256, signature, allowDowngrade = false } = inspectOptions;
      const { trust } = policy.current();
      const result = await installPlugin({
        root,
        source: installSource(source),
        dryRun: true,
        hostAppVersion: options.hostAppVersion,
        limits,
        lane,
        ...(sha256 === undefined ? {} : { sha256 }),
        ...(signature === undefined ? {} : { signature }),
        ...(allowDowngrade ? { allowDowngrade: true } : {}),
        ...(trust === undefined ? {} : { trust }),
      });
      return { ...result, notGranted: permissionRequest(result.manifest, policy.current()) };
    },
    async uninstall(pluginId) {
      open('uninstall');
      if (registry.get(pluginId) !== undefined) await registry.unload(pluginId);
      await uninstallPlugin({ root, id: pluginId });
      change({ type: 'uninstalled', pluginId });
    },
    reload,
    async quarantine(pluginId, reason) {
      open('quarantine');
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > QUARANTINE_REASON_MAX)) {
        throw new PlinthError(
          'invalid_options',
          `quarantine ${pluginId}: the reason must be a string of at most ${QUARANTINE_REASON_MAX} characters`,
          { pluginId },
        );
      }
      return registry.quarantine(pluginId, reason);
    },
    async release(pluginId) {
      open('release');
      const info = registry.get(pluginId);
      if (info === undefined) {
        throw new PlinthError('not_handled', `no plugin ${pluginId} is loaded`, { pluginId });
      }
      // A fresh instance, not the old one let out: a plugin the failure policy quarantined kept failing,
      // and whatever state its instance holds is suspect.
      return info.state === 'quarantined' ? reload(pluginId) : info;
    },
    async grant(pluginId, permission, scope) {
      open('grant');
      await policy.grant(pluginId, permission, scope);
      await relane();
    },
    async revoke(pluginId, permission, scope) {
      open('revoke');
      await policy.revoke(pluginId, permission, scope);
      await relane();
    },
    policy: () => policy.current(),
    denials: () => policy.denials(),
    observe: (observer) => observers.add(observer),
    settled: () => hostBundles.settled(),
    close: () => (closing ??= close()),
  };
}

/** A copy of the source alone, whatever else the caller's object holds. */
function installSource(source: Parameters<NodeHost['install']>[0]): InstallSource {
  if ('path' in source) return { path: source.path };
  return 'url' in source ? { url: source.url } : { bytes: source.bytes };
}

/** A quarantine reason is for people (logs, error messages): a sentence, not a document. */
const QUARANTINE_REASON_MAX = 500;

const closedError = (what: string): PlinthError =>
  new PlinthError('closed', `the Node host is closed; cannot ${what}`);

function problemError(problem: DirectoryProblem): PlinthError {
  if (PlinthError.isInstance(problem.error)) return problem.error;
  return new PlinthError('load_failed', problem.message, { pluginId: problem.name, cause: problem.error });
}

/**
 * The workspace, the plugins root and the policy file's folder must exist — a typo would otherwise grow a
 * new tree in an odd place — unless `create` asks for them (the host's own `.plinth` folder is always made).
 */
async function prepareFolders(options: NodeHostOptions, workspaceRoot: string, pluginsRoot: string) {
  const policyFile = resolve('file' in options.policy ? options.policy.file : options.policy.frontMatter);
  const folders: [string, string][] = [
    ['workspaceRoot', workspaceRoot],
    ['pluginsRoot', pluginsRoot],
    ['policy', dirname(policyFile)],
  ];
  for (const [option, folder] of folders) {
    if (options.create === true) {
      await mkdir(folder, { recursive: true });
      continue;
    }
    const isFolder = await stat(folder).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
    if (!isFolder) {
      throw new PlinthError(
        'invalid_options',
        `createNodeHost: ${option === 'policy' ? `the folder of the policy file ${policyFile}` : `${option} ${folder}`} does not exist (pass create: true to create it)`,
      );
    }
  }
}
