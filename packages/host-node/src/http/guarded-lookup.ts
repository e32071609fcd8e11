import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { AddressPolicy } from './address-policy.js';

/** Resolves a host name to its addresses; injectable so tests can play DNS (e.g. a rebinding answer). */
export type ResolveHost = (hostname: string) => Promise<readonly LookupAddress[]>;

/** The system resolver (`dns.lookup`, every address, in the order the system gives them). */
export const systemResolve: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/** A destination the address policy refuses; recognised by the transports to answer `blocked_address`. */
export class BlockedAddressError extends Error {
  readonly code = 'PLINTH_BLOCKED_ADDRESS';
  constructor(message: string) {
    super(message);
    this.name = 'BlockedAddressError';
  }
}

export function findBlockedAddressError(error: unknown): BlockedAddressError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth += 1) {
    if (current instanceof BlockedAddressError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `net.connect` (and so undici and ws) that resolves the name, drops every address the
 * policy refuses and connects only to the rest. Checked at connect time, on the addresses actually used,
 * so a name that resolves to a public address once and a private one later (DNS rebinding) is still
 * refused.
 */
export function createGuardedLookup(policy: AddressPolicy, resolve: ResolveHost = systemResolve) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const wanted = addresses.filter(
          (entry) => options.family === undefined || options.family === 0 || entry.family === options.family,
        );
        const refusals: string[] = [];
        const usable = wanted.filter((entry) => {
          const refusal = policy.check(hostname, entry.address);
          if (refusal !== null) refusals.push(refusal);
          return refusal === null;
        });
        const first = usable[0];
        if (first === undefined) {
          const message = refusals[0] ?? `could not resolve host ${hostname}`;
          const error: NodeJS.ErrnoException =
            refusals.length > 0
              ? new BlockedAddressError(message)
              : Object.assign(new Error(message), { code: 'ENOTFOUND' });
          callback(error, '');
          return;
        }
        if (options.all === true)
          callback(
            null,
            usable.map((entry) => ({ ...entry })),
          );
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, ''),
    );
  };
}
