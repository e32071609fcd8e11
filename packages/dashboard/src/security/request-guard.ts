/** The names a browser on this machine reaches a loopback listener by. */
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `host[:port]` without the port; IPv6 literals keep their brackets. */
function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * Why a `Host` header is refused, if it is. A page whose own name was made to point at 127.0.0.1 (DNS
 * rebinding) still sends that name, so only loopback names pass, or exactly `allowed` when given.
 */
export function hostRefusal(
  host: string | undefined,
  allowed: ReadonlySet<string> | undefined,
): string | undefined {
  if (host === undefined || host === '') return 'the request has no Host header';
  const lower = host.toLowerCase();
  if (allowed !== undefined) {
    return allowed.has(lower) ? undefined : `Host ${host} is not an address of this dashboard`;
  }
  return LOOPBACK_HOSTNAMES.has(hostnameOf(lower)) ? undefined : `Host ${host} is not a loopback address`;
}

/**
 * Why a request from a browser page is refused, if it is: an `Origin` other than the dashboard's own, or,
 * for a change, a `Sec-Fetch-Site` that says another site (or a sibling one) made it.
 */
export function originRefusal(options: {
  host: string;
  origin: string | undefined;
  fetchSite: string | undefined;
  change: boolean;
}): string | undefined {
  const { origin, fetchSite } = options;
  if (origin !== undefined && origin.toLowerCase() !== `http://${options.host.toLowerCase()}`) {
    return `Origin ${origin} is not this dashboard`;
  }
  if (options.change && fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return `a request from another site (Sec-Fetch-Site: ${fetchSite}) may not change anything`;
  }
  return undefined;
}
