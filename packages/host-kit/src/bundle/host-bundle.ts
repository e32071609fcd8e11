import type { HostFunctionName, HostFunctionRequest } from '@plinth/protocol';

/** Who is calling a host function: fixed for the plugin instance, plus the export being run. */
export interface HostCallContext {
  readonly pluginId: string;
  readonly pluginVersion?: string | undefined;
  readonly exportName: string;
  /**
   * Plugin ids of the cross-plugin command chain that led to this call, outermost first, ending with this
   * plugin (absent for a call from the app). `host_plugin_command` uses it for its depth limit.
   */
  readonly callChain?: readonly string[] | undefined;
  /**
   * Files the app supplied for this one call (`host_request_file`), by key. Carried by the call rather
   * than looked up by plugin id, so concurrent calls never see each other's files; not passed on to the
   * plugins the call reaches through `host_plugin_command`.
   */
  readonly requestFiles?: ReadonlyMap<string, Uint8Array> | undefined;
  /** The app's per-call value for its own host functions (Extism's host context); never sent to the guest. */
  readonly hostContext?: unknown;
  /**
   * `load` for the calls that belong to loading a plugin (`manifest`, `init`): a metered guest then runs on
   * `fuelPerLoad` instead of `fuelPerCall`. Default `call`.
   */
  readonly phase?: 'load' | 'call' | undefined;
  /** Filled in by the lane when the call ends (also when it fails): what the call used. */
  readonly receipt?: CallReceipt | undefined;
}

/** What one call used, as the lane reports it into `HostCallContext.receipt`. */
export interface CallReceipt {
  /** The lane that ran the call. */
  lane?: 'in-thread' | 'isolated';
  /** Fuel the guest used (metered plugins only; on `fuel_exhausted`, what it had used when stopped). */
  fuelUsed?: number;
}

/**
 * What a handler answers: the success output (wire text, or raw bytes for the functions whose success is
 * raw bytes), or `{ failure }` — a message the runtime renders in the function's failure shape.
 */
export type HostAnswer = string | Uint8Array | { readonly failure: string };

/**
 * Implements one catalogue function. Receives the decoded, validated request. May answer with a promise
 * only in the isolated lane, which awaits it; the in-thread lane cannot wait (its host functions must be
 * synchronous) and answers an internal error in the function's failure shape instead.
 */
export type HostFunctionHandler<N extends HostFunctionName> = (
  request: HostFunctionRequest<N>,
  context: HostCallContext,
) => HostAnswer | Promise<HostAnswer>;

/**
 * Host functions keyed by catalogue name. A bundle implements some of them; every catalogue function a
 * bundle leaves out is registered as a stub that answers "not available" in its failure shape.
 */
export type HostBundle = { readonly [N in HostFunctionName]?: HostFunctionHandler<N> };

/** Merges bundles; a function provided by two bundles is a setup mistake and is refused. */
export function combineBundles(...bundles: readonly HostBundle[]): HostBundle {
  const combined: Record<string, unknown> = {};
  for (const bundle of bundles) {
    for (const [name, handler] of Object.entries(bundle)) {
      if (handler === undefined) continue;
      if (name in combined) throw new TypeError(`host function ${name} is provided by two bundles`);
      combined[name] = handler;
    }
  }
  return combined as HostBundle;
}
