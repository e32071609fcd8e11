import { isIP } from 'node:net';
import { checkOptions } from '@plinth/protocol';
import ipaddr from 'ipaddr.js';
import { addressPolicyOptionsSchema } from './http-options.js';

/** Which non-public destinations plugins may still reach. */
export interface AddressPolicyOptions {
  /**
   * Destinations allowed even though they are not public: host names (`localhost`, matched exactly,
   * case-insensitively), IP addresses (`127.0.0.1`, `::1`) or CIDR ranges (`10.0.0.0/8`). Everything else
   * that resolves to a loopback, private, link-local, unique-local, CGNAT, unspecified, multicast,
   * reserved or cloud-metadata address is refused.
   */
  allowPrivateHosts?: readonly string[] | undefined;
}

/** Decides, per connection, whether a host name may be reached at a resolved address. */
export interface AddressPolicy {
  /** `null` when allowed; otherwise why not, in words for the guest. */
  check(hostname: string, address: string): string | null;
}

/** Addresses cloud providers serve instance credentials on; named separately so the refusal says so. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254']);

const RANGE_WORDS: Readonly<Record<string, string>> = {
  loopback: 'a loopback address',
  private: 'a private address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local address',
  carrierGradeNat: 'a carrier-grade NAT (CGNAT) address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
};

/**
 * The range an address falls in: `unicast` for a public address, `metadata` for a cloud metadata
 * endpoint, otherwise ipaddr.js's range name (`loopback`, `private`, …). IPv4-mapped IPv6 addresses are
 * classified as the IPv4 address they carry.
 */
export function classifyAddress(address: string): string {
  const parsed = ipaddr.process(stripBrackets(address));
  const normalized = parsed.toNormalizedString();
  if (METADATA_ADDRESSES.has(parsed.toString()) || METADATA_ADDRESSES.has(normalized)) return 'metadata';
  return parsed.range();
}

/**
 * Builds the address policy the HTTP and WebSocket transports check each connection with. An entry of
 * `allowPrivateHosts` that is neither an IP address nor a CIDR range is taken as a host name.
 */
export function createAddressPolicy(options: AddressPolicyOptions = {}): AddressPolicy {
  checkOptions('createAddressPolicy', addressPolicyOptionsSchema, options);
  const names = new Set<string>();
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const entry of options.allowPrivateHosts ?? []) {
    const bare = stripBrackets(entry.trim());
    if (isIP(bare) !== 0) {
      const address = ipaddr.process(bare);
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (bare.includes('/') && ipaddr.isValidCIDR(bare)) {
      const [address, bits] = ipaddr.parseCIDR(bare);
      // A mapped IPv4 range is matched in IPv4 form, like the addresses it is compared with.
      if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        ranges.push([(address as ipaddr.IPv6).toIPv4Address(), bits - 96]);
      } else {
        ranges.push([address, bits]);
      }
    } else {
      names.add(bare.toLowerCase().replace(/\.$/, ''));
    }
  }
  const allowedAddress = (address: ipaddr.IPv4 | ipaddr.IPv6) =>
    ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));

  return {
    check(hostname, address) {
      if (isIP(stripBrackets(address)) === 0) return `${address} is not an IP address`;
      const kind = classifyAddress(address);
      if (kind === 'unicast') return null;
      const host = stripBrackets(hostname).toLowerCase().replace(/\.$/, '');
      if (names.has(host) || allowedAddress(ipaddr.process(stripBrackets(address)))) return null;
      const what =
        kind === 'metadata' ? 'a cloud metadata address' : (RANGE_WORDS[kind] ?? `a ${kind} address`);
      const via =
        host === stripBrackets(address).toLowerCase() ? address : `${hostname} resolves to ${address}`;
      return `destination refused: ${via}, ${what}, is not reachable from plugins (the host's allowPrivateHosts does not name it)`;
    },
  };
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
