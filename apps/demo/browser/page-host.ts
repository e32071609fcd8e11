import { createBrowserHost, type DirectoryFiles, type IndexedDbStores } from '@plinth/host-browser';
import {
  fileEventToGuestEvent,
  storageQuotaFromPolicy,
  type CallReceipt,
  type GuestLogEntry,
  type HostBundle,
} from '@plinth/host-kit';
import {
  createPolicyChecker,
  describePermissions,
  permissionRequest,
  type PermissionRequest,
  type PolicyStore,
} from '@plinth/permissions';
import type { CommandResponse, JsonValue, Policy } from '@plinth/protocol';
import {
  createInThreadLane,
  openProtocolPluginFrom,
  PluginRegistry,
  sha256Hex,
  type LaneFactory,
  type ModuleSource,
  type PluginHandle,
  type PluginInfo,
} from '@plinth/runtime';
import { workerLane } from '@plinth/runtime/browser';
import { DEMO_APP_VERSION } from '../src/app-version.js';

/** One line of the log-and-events panel. */
export type FeedEntry =
  | {
      kind: 'log';
      /** `guest`: the plugin's own host_log line; `host`: loading and registry; `permissions`: a denial. */
      source: 'guest' | 'host' | 'permissions';
      level: GuestLogEntry['level'];
      pluginId: string | undefined;
      message: string;
    }
  | { kind: 'event'; pluginId: string; payload: JsonValue }
  | { kind: 'file'; pluginId: string; change: string; path: string };

/** Where a plugin's running module came from. */
export interface ModuleOrigin {
  /** `/plugins/…wasm` or `upload <file name>`. */
  from: string;
  /** The pinned sha256 the loader checked, or the uploaded bytes' own; undefined for an unpinned URL. */
  sha256: string | undefined;
  pinned: boolean;
}

/** A plugin as the page lists it: the registry's view plus its permissions in words. */
export interface PluginView extends PluginInfo {
  lane: string;
  /** What the policy lets it do (`describePermissions`). */
  may: string[];
  /** What its manifest asks for that the policy does not set. */
  notGranted: PermissionRequest | undefined;
  module: ModuleOrigin | undefined;
}

/** What to load: served bytes by URL, or an upload's bytes, with an optional sha256 pin. */
export interface LoadRequest {
  source: { url: string } | { bytes: Uint8Array; name: string };
  sha256?: string | undefined;
  /** The id the manifest must declare (the server's list says it). */
  expectedId?: string | undefined;
}

export interface LoadOutcome {
  outcome: 'loaded' | 'reloaded';
  info: PluginInfo;
}

/** Where a plugin runs: its lane, in words for the plugin list. */
export interface LaneChoice {
  kind: 'worker' | 'in-thread';
  lane: LaneFactory;
  words: string;
}

/** The page's build bundles `@plinth/runtime/browser/lane-worker` there, and the server serves it. */
const WORKER_LANE = workerLane({ workerUrl: '/lane-worker.js' });

/**
 * Where the plugin with this id runs under the policy. `host_http_request` answers with a promise (the
 * page's fetch), which only a Web Worker lane can wait for, so a plugin granted `http_requests` runs in
 * one, each call under a hard timeout. Every other host function here answers at once, so the others stay
 * on the page's thread. Both are metered with fuel: a runaway loop ends with `fuel_exhausted` instead of
 * freezing the tab. No id yet (an upload): the page's thread.
 */
export function laneFor(pluginId: string | undefined, policy: Policy): LaneChoice {
  const http = pluginId === undefined ? undefined : policy.plugins[pluginId]?.permissions.http_requests;
  if ((http?.include.length ?? 0) > 0) {
    return {
      kind: 'worker',
      lane: WORKER_LANE,
      words:
        'in a Web Worker, metered with fuel, with a hard timeout per call (its HTTP requests answer asynchronously)',
    };
  }
  return { kind: 'in-thread', lane: createInThreadLane, words: 'in this page’s thread, metered with fuel' };
}

export interface PageHostOptions {
  policy: PolicyStore;
  files: DirectoryFiles;
  stores: IndexedDbStores;
  /** The path the workspace stands for in the plugins' init context and absolute paths. */
  workspaceRoot: string;
  onFeed: (entry: FeedEntry) => void;
  /** A plugin was loaded, reloaded, unloaded or quarantined, or a file changed. */
  onChange: () => void;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The page's plugin host: the browser services, one permission checker and one registry. */
export class PageHost {
  readonly #options: PageHostOptions;
  readonly #registry: PluginRegistry;
  readonly #bundle: HostBundle;
  readonly #modules = new Map<string, ModuleOrigin>();
  /** The lane each plugin's running instance was opened in. */
  readonly #lanes = new Map<string, LaneChoice>();

  constructor(options: PageHostOptions) {
    this.#options = options;
    const { policy, onFeed } = options;
    const log = (entry: Omit<Extract<FeedEntry, { kind: 'log' }>, 'kind'>) =>
      onFeed({ kind: 'log', ...entry });
    const permissions = createPolicyChecker({
      policy,
      audit: (decision) => {
        if (decision.allowed) return;
        const via = decision.via === undefined ? '' : ` (${decision.via})`;
        log({
          source: 'permissions',
          level: 'warn',
          pluginId: decision.pluginId,
          message: `${decision.message}${via}`,
        });
      },
    });
    this.#registry = new PluginRegistry({
      permissions,
      log: (entry) =>
        log({ source: 'host', level: entry.level, pluginId: entry.pluginId, message: entry.message }),
      // The registry logs loads and reloads itself; a change only needs the lists drawn again.
      onChange: () => options.onChange(),
    });
    this.#bundle = createBrowserHost({
      permissions,
      stores: options.stores,
      files: options.files,
      workspaceRoot: options.workspaceRoot,
      quotaFor: storageQuotaFromPolicy(policy),
      log: (entry) =>
        log({ source: 'guest', level: entry.level, pluginId: entry.pluginId, message: entry.message }),
      onEvent: (event) => onFeed({ kind: 'event', pluginId: event.pluginId, payload: event.payload }),
      onFileEvent: (change) => {
        onFeed({ kind: 'file', pluginId: change.pluginId, change: change.type, path: change.path });
        options.onChange();
        // Not awaited: the writing plugin's call must not wait on the others (as on the Node host).
        this.#registry
          .broadcast(fileEventToGuestEvent(change), { except: change.pluginId })
          .catch((error: unknown) =>
            log({ source: 'host', level: 'error', pluginId: change.pluginId, message: messageOf(error) }),
          );
      },
    }).bundle;
  }

  /**
   * Loads a module as a new plugin, or hot-reloads the plugin with its manifest's id: the new instance is
   * opened first, and only once it is up does it take the old one's place (calls in flight finish there).
   */
  async load(request: LoadRequest): Promise<LoadOutcome> {
    const { source } = request;
    const moduleSource: ModuleSource =
      'url' in source
        ? { url: new URL(source.url, location.href) }
        : { bytes: source.bytes, origin: `upload ${source.name}` };
    const laneOf = (id: string | undefined) => laneFor(id, this.#options.policy.current().policy);
    const open = (lane: LaneChoice, expectedId: string | undefined) =>
      openProtocolPluginFrom({
        source: moduleSource,
        ...(request.sha256 ? { sha256: request.sha256 } : {}),
        ...(expectedId ? { expectedId } : {}),
        hostAppVersion: DEMO_APP_VERSION,
        lane: lane.lane,
        fuel: true,
        bundle: this.#bundle,
        initContext: { workspace_root: this.#options.workspaceRoot },
        log: (entry) =>
          this.#options.onFeed({
            kind: 'log',
            source: 'host',
            level: entry.level,
            pluginId: entry.pluginId,
            message: entry.message,
          }),
      });
    // The id is the manifest's, so the module is opened once to learn it, in the lane the expected id
    // calls for; that instance is the one used, unless its id calls for the other lane: then it is shut
    // down and the module opened again there.
    let lane = laneOf(request.expectedId);
    let first: PluginHandle = await open(lane, request.expectedId);
    if (laneOf(first.id).kind !== lane.kind) {
      lane = laneOf(first.id);
      await first.shutdown();
      first = await open(lane, first.id);
    }
    let handedOver = false;
    const opener = async (): Promise<PluginHandle> => {
      if (handedOver) return open(laneOf(first.id), first.id);
      handedOver = true;
      return first;
    };
    const reloading = this.#registry.get(first.id) !== undefined;
    try {
      const info = reloading
        ? await this.#registry.reload(first.id, opener)
        : await this.#registry.load(first.id, opener);
      this.#modules.set(first.id, {
        from: 'url' in source ? source.url : `upload ${source.name}`,
        sha256:
          request.sha256?.toLowerCase() ?? ('bytes' in source ? await sha256Hex(source.bytes) : undefined),
        pinned: request.sha256 !== undefined,
      });
      this.#lanes.set(first.id, lane);
      this.#options.onChange();
      return { outcome: reloading ? 'reloaded' : 'loaded', info };
    } finally {
      if (!handedOver) await first.shutdown();
    }
  }

  /** Runs a command; a guest's own failure (a denial included) is a response, anything else rejects. */
  async command(
    pluginId: string,
    name: string,
    params: JsonValue | null,
  ): Promise<{ response: CommandResponse; receipt: CallReceipt }> {
    const receipt: CallReceipt = {};
    const response = await this.#registry.command(pluginId, name, params, { receipt });
    return { response, receipt };
  }

  plugins(): PluginView[] {
    const { policy } = this.#options.policy.current();
    return this.#registry
      .list()
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((info) => ({
        ...info,
        lane: (this.#lanes.get(info.id) ?? laneFor(info.id, policy)).words,
        may: describePermissions(policy.plugins[info.id]?.permissions ?? {}),
        notGranted: info.manifest && permissionRequest(info.manifest, policy),
        module: this.#modules.get(info.id),
      }));
  }

  /** Waits for every write to reach the directory and IndexedDB. */
  async settled(): Promise<void> {
    await Promise.all([this.#options.files.settled(), this.#options.stores.settled()]);
  }
}
