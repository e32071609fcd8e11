import type { NormalizeResult } from './file-path.js';
import { sizeProblem, TARGET_LIMITS } from './target-limits.js';

const WEB_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);
/** `scheme://authority` where the authority is a plain ASCII host and an optional port: no URL parser needed. */
const SIMPLE_URL = /^(https?|wss?):\/\/([A-Za-z0-9.-]+)(?::\d{0,4})?(?:[/?#]|$)/i;
/** A bare `host[:port][/path]`: refused as a target, where a URL is expected. */
const BARE_HOST = /^[A-Za-z0-9.-]+(?::\d+)?(?:[/?#]|$)/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const NUMERIC_LABEL = /^(?:\d+|0x[0-9a-f]*)$/i;
const NO_SCHEME =
  'has no scheme; a URL such as https://api.example.com/ is expected (http, https, ws or wss), not a bare host';

/** True for an IPv4 or IPv6 literal as the WHATWG URL parser leaves it (`127.0.0.1`, `[::1]`). */
export const isIpHost = (host: string): boolean =>
  host.startsWith('[') || NUMERIC_LABEL.test(lastLabel(host));

function lastLabel(host: string): string {
  const trimmed = host.endsWith('.') ? host.slice(0, -1) : host;
  return trimmed.slice(trimmed.lastIndexOf('.') + 1);
}

/**
 * Without one trailing dot; refused if empty or longer than DNS allows. The name is ASCII here (the URL
 * parser has applied punycode), so its length is its size in bytes.
 */
function finish(host: string): NormalizeResult {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name === '' || name.startsWith('.')) return { ok: false, problem: 'has an empty host name' };
  const { hostBytes, labelBytes } = TARGET_LIMITS;
  if (name.length > hostBytes) {
    return {
      ok: false,
      problem: `has a host name of ${name.length} bytes; host names longer than ${hostBytes} bytes are refused`,
    };
  }
  for (let start = 0; name.length - start > labelBytes;) {
    const dot = name.indexOf('.', start);
    const end = dot === -1 ? name.length : dot;
    if (end - start > labelBytes) {
      return {
        ok: false,
        problem: `has a host label of ${end - start} bytes; labels longer than ${labelBytes} bytes are refused`,
      };
    }
    start = end + 1;
  }
  return { ok: true, value: name };
}

function viaUrlParser(url: string): NormalizeResult {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, problem: SCHEME.test(url) ? 'is not a valid URL' : NO_SCHEME };
  }
  if (!WEB_SCHEMES.has(parsed.protocol)) {
    return {
      ok: false,
      problem: `uses the scheme ${parsed.protocol} (only http, https, ws and wss are checked)`,
    };
  }
  return finish(parsed.hostname);
}

/**
 * The host name an `http_requests` target names: lowercase, IDN as punycode, no port, no trailing dot,
 * IPv4 in dotted-decimal form. Parsed as the WHATWG URL parser (and so `fetch`) would parse it, so userinfo
 * (`https://ok.com@evil.com`) and backslashes cannot disguise the host. Plain ASCII hosts skip the parser.
 * Refused: a URL over `TARGET_LIMITS.urlBytes`, a host or label longer than DNS allows, a scheme other
 * than http, https, ws and wss, and a bare host with no scheme (`api.example.com/v1`), which is not a URL.
 */
export function hostOfTarget(target: string): NormalizeResult {
  const tooLong = sizeProblem(target, TARGET_LIMITS.urlBytes, 'URLs');
  if (tooLong !== undefined) return { ok: false, problem: tooLong };
  const simple = SIMPLE_URL.exec(target);
  if (simple !== null) {
    const host = simple[2] as string;
    if (!NUMERIC_LABEL.test(lastLabel(host))) return finish(host.toLowerCase());
    return viaUrlParser(target);
  }
  if (BARE_HOST.test(target)) return { ok: false, problem: NO_SCHEME };
  return viaUrlParser(target);
}

/**
 * Normalizes a host pattern from a policy the same way as a target's host. A scheme, port and trailing `/`
 * are tolerated; a path is reported, since a scope names a host, not a URL prefix.
 */
export function normalizeHostPattern(pattern: string): NormalizeResult & { hadPath?: boolean } {
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(pattern) ? pattern : `http://${pattern}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    return { ok: false, problem: 'is not a host name' };
  }
  if (!WEB_SCHEMES.has(parsed.protocol)) return { ok: false, problem: `uses the scheme ${parsed.protocol}` };
  if (parsed.username !== '' || parsed.password !== '') return { ok: false, problem: 'contains user info' };
  if (parsed.hostname.includes('*')) {
    return { ok: false, problem: 'contains a wildcard; a host pattern already matches all its subdomains' };
  }
  const host = finish(parsed.hostname);
  if (!host.ok) return host;
  const hadPath = parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '';
  return hadPath ? { ...host, hadPath } : host;
}
