import { getHostFunction, isHostFunctionName, type PermissionType, type Policy } from '@plinth/protocol';
import {
  createInThreadLane,
  importedHostFunctions,
  importsExtismHttp,
  isMetered,
  type LaneFactory,
  type LaneKind,
  type LaneOptions,
} from '@plinth/runtime';
import { createIsolatedLane } from '@plinth/runtime/node';

/** The permission that lets a plugin use a catalogue function, as the catalogue gives it. */
const permissionOf = (name: string): PermissionType | undefined =>
  isHostFunctionName(name) ? getHostFunction(name).permission?.types[0] : undefined;

/**
 * Host functions whose Node handlers answer with a promise, which only the isolated lane can wait for. A
 * plugin that imports one and is granted its permission runs isolated; without the grant the call is
 * denied before any handler runs, so in-thread serves it.
 */
const ASYNC_FUNCTIONS: ReadonlySet<string> = new Set([
  'host_http_request',
  'host_plugin_command',
  'host_run_wasi_module',
]);

/** The permissions of the store functions, asynchronous when the host's stores answer promises. */
const STORE_PERMISSIONS: ReadonlySet<PermissionType> = new Set(['plugin_storage', 'namespaces']);

/** Above this per-call budget an in-thread call could hold the thread for seconds: run it isolated. */
export const IN_THREAD_FUEL_CEILING = 1_000_000_000;

export type LaneMode = 'auto' | 'isolated' | 'in-thread';

export interface LaneDecision {
  kind: LaneKind;
  metered: boolean;
  /** In plain words, for `list` and logs. */
  reason: string;
}

/** Where one plugin's module runs, under the current policy. */
export function chooseLane(options: {
  mode: LaneMode;
  pluginId: string;
  module: LaneOptions['module'];
  policy: Policy;
  fuelPerCall: number;
  /** The host's storage, secrets and namespace stores answer promises. */
  asyncStores?: boolean;
}): LaneDecision {
  const metered = isMetered(options.module);
  if (options.mode === 'isolated')
    return { kind: 'isolated', metered, reason: 'the host runs every plugin isolated' };
  if (options.mode === 'in-thread')
    return { kind: 'in-thread', metered, reason: 'the host runs every plugin in-thread' };
  if (options.fuelPerCall > IN_THREAD_FUEL_CEILING) {
    return {
      kind: 'isolated',
      metered,
      reason: `its fuelPerCall (${options.fuelPerCall}) is above the in-thread ceiling of ${IN_THREAD_FUEL_CEILING}`,
    };
  }
  const permissions = options.policy.plugins[options.pluginId]?.permissions ?? {};
  for (const name of importedHostFunctions(options.module)) {
    const permission = permissionOf(name);
    if (permission === undefined) continue;
    const asynchronous =
      ASYNC_FUNCTIONS.has(name) || (options.asyncStores === true && STORE_PERMISSIONS.has(permission));
    if (!asynchronous) continue;
    if ((permissions[permission]?.include.length ?? 0) > 0) {
      return {
        kind: 'isolated',
        metered,
        reason: `it may use ${name} (granted ${permission}), which answers asynchronously`,
      };
    }
  }
  // A generic plugin's Extism http_request answers asynchronously too (it goes through the transport).
  if (importsExtismHttp(options.module) && (permissions.http_requests?.include.length ?? 0) > 0) {
    return {
      kind: 'isolated',
      metered,
      reason: "it may use Extism's http_request (granted http_requests), which answers asynchronously",
    };
  }
  return {
    kind: 'in-thread',
    metered,
    reason: 'every host function it may use answers synchronously',
  };
}

export const laneFactoryFor = (kind: LaneKind): LaneFactory =>
  kind === 'isolated' ? createIsolatedLane : createInThreadLane;
