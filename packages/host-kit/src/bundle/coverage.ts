import {
  HOST_CAPABILITIES,
  HOST_FUNCTIONS,
  type CapabilityFunctionName,
  type HostCapability,
  type HostFunctionName,
} from '@plinth/protocol';
import type { HostBundle, HostFunctionHandler } from './host-bundle.js';

/**
 * A bundle that serves every function of one capability: a handler missing from a capability's bundle
 * is a compile error where the bundle is built, rather than a silent "not available" at run time.
 */
export type CapabilityBundle<C extends Exclude<HostCapability, 'unsupported'>> = {
  readonly [N in CapabilityFunctionName<C>]: HostFunctionHandler<N>;
};

/** Part of the basics capability, served by one of its small bundles (`createBasicBundle` joins them). */
export type BasicsBundle<N extends CapabilityFunctionName<'basics'>> = Pick<CapabilityBundle<'basics'>, N>;

/** How far a composed bundle serves one capability. */
export interface CapabilityCoverage {
  capability: HostCapability;
  /** The capability's functions the bundle serves, in catalogue order. */
  served: HostFunctionName[];
  /** The capability's functions the bundle leaves to the "not available" stub. */
  missing: HostFunctionName[];
}

/**
 * What a composed bundle covers of the catalogue, capability by capability (in `HOST_CAPABILITIES`
 * order, every capability listed). A host should miss nothing outside `unsupported`; `uncovered` lists
 * what it does miss.
 */
export function coverage(bundle: HostBundle): CapabilityCoverage[] {
  const handlers = bundle as Readonly<Record<string, unknown>>;
  return HOST_CAPABILITIES.map((capability) => {
    const row: CapabilityCoverage = { capability, served: [], missing: [] };
    for (const spec of HOST_FUNCTIONS) {
      if (spec.capability !== capability) continue;
      (typeof handlers[spec.name] === 'function' ? row.served : row.missing).push(spec.name);
    }
    return row;
  });
}

/**
 * The functions outside `unsupported` that a bundle leaves to the "not available" stub; given the rows of
 * `coverage` (as `NodeHost.coverage()` and the harness answer them), the same from the rows.
 */
export function uncovered(of: HostBundle | readonly CapabilityCoverage[]): HostFunctionName[] {
  const rows = Array.isArray(of) ? (of as readonly CapabilityCoverage[]) : coverage(of as HostBundle);
  return rows.filter((row) => row.capability !== 'unsupported').flatMap((row) => row.missing);
}
