import type { BasicsBundle } from '../../bundle/coverage.js';
import { checkOptions, type JsonObject, type JsonValue } from '@plinth/protocol';
import type { HostCallContext } from '../../bundle/host-bundle.js';
import { runtimeContextBundleOptionsSchema } from '../../options/basics-options.js';

/**
 * Answers the runtime context a guest asks for with `host_get_runtime_context`, per call. Synchronous; keys
 * that look secret are removed from the answer before the guest sees it.
 */
export type RuntimeContextProvider = (context: HostCallContext) => Readonly<Record<string, JsonValue>>;

/** A key to remove wherever it appears: a name (compared case-insensitively) or a pattern. */
export type RedactKey = string | RegExp;

/** Options of `createRuntimeContextBundle`: where the context comes from, and what else to redact. */
export interface RuntimeContextBundleOptions {
  /** The context for one call. Default: `{}` for everyone. */
  provider?: RuntimeContextProvider | undefined;
  /** Further keys the app marks as secret, on top of the built-in ones. */
  redactKeys?: readonly RedactKey[] | undefined;
  /** The provider threw or answered something that is not a JSON object; the guest got `{}`. */
  onError?: ((error: unknown, context: HostCallContext) => void) | undefined;
}

// Compared against the key lowercased with `-`, `_`, `.` and spaces removed, so `API-Key`, `api_key` and
// `apiKey` are one key. Substrings, so `github_token` and `db_password` are caught too.
const SECRET_KEY_PARTS = [
  'token',
  'secret',
  'password',
  'passwd',
  'passphrase',
  'apikey',
  'authorization',
  'credential',
  'privatekey',
  'accesskey',
  'cookie',
  'sessionid',
  'signingkey',
];
// Whole keys only: as substrings they would hit harmless keys such as `author`.
const SECRET_KEY_NAMES = new Set(['auth', 'pwd', 'pass', 'bearer', 'jwt', 'sid', 'otp', 'pin']);
// Values that carry a credential whatever their key says.
const SECRET_VALUE = /^(?:bearer|basic)\s+\S|^eyJ[\w-]+\.eyJ[\w-]+\.|^-----BEGIN [A-Z ]*PRIVATE KEY-----/i;

const normalizeKey = (key: string) => key.toLowerCase().replace(/[-_.\s]/g, '');

/** Whether a key looks secret by the built-in rules or matches one of `extra`. */
export function isSecretKey(key: string, extra: readonly RedactKey[] = []): boolean {
  const normalized = normalizeKey(key);
  if (SECRET_KEY_NAMES.has(normalized) || SECRET_KEY_PARTS.some((part) => normalized.includes(part)))
    return true;
  return extra.some((rule) =>
    typeof rule === 'string'
      ? rule.toLowerCase() === key.toLowerCase()
      : new RegExp(rule.source, rule.flags.replace(/[gy]/g, '')).test(key),
  );
}

/**
 * A copy of `value` without secrets: keys that look secret are removed (not masked, so a guest never
 * sends a placeholder as a credential), at any depth, in objects inside arrays too, and so are string
 * values that carry a credential (`Bearer …`, a JWT, a PEM private key). Throws TypeError for values
 * JSON cannot carry (cycles, functions, bigints, non-finite numbers).
 */
export function redactSecrets(value: unknown, extra: readonly RedactKey[] = []): JsonValue | undefined {
  const seen = new Set<object>();
  const walk = (node: unknown, path: string): JsonValue | undefined => {
    if (node === null || typeof node === 'boolean') return node;
    if (typeof node === 'string') return SECRET_VALUE.test(node) ? undefined : node;
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) throw new TypeError(`${path} is ${node}, which JSON cannot carry`);
      return node;
    }
    if (typeof node !== 'object') throw new TypeError(`${path} is a ${typeof node}, which JSON cannot carry`);
    if (seen.has(node)) throw new TypeError(`${path} refers back to itself`);
    seen.add(node);
    try {
      if (Array.isArray(node))
        return node.flatMap((item, index) => {
          const kept = walk(item, `${path}[${index}]`);
          return kept === undefined ? [] : [kept];
        });
      const out: JsonObject = {};
      for (const [key, item] of Object.entries(node)) {
        if (item === undefined || isSecretKey(key, extra)) continue;
        const kept = walk(item, `${path}.${key}`);
        if (kept !== undefined) out[key] = kept;
      }
      return out;
    } finally {
      seen.delete(node);
    }
  };
  return walk(value, 'context');
}

/**
 * `host_get_runtime_context`, synchronous. The answer never includes secrets (see `redactSecrets`); a
 * provider that throws or answers a non-object gives `{}` and is reported through `onError`.
 */
export function createRuntimeContextBundle(
  options: RuntimeContextBundleOptions = {},
): BasicsBundle<'host_get_runtime_context'> {
  checkOptions('createRuntimeContextBundle', runtimeContextBundleOptionsSchema, options);
  const { provider, redactKeys = [], onError } = options;
  return {
    host_get_runtime_context(_request, context) {
      if (provider === undefined) return '{}';
      try {
        const value: unknown = provider(context);
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          throw new TypeError(
            `the runtime context provider answered ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, not an object`,
          );
        return JSON.stringify(redactSecrets(value, redactKeys));
      } catch (error) {
        onError?.(error, context);
        return '{}';
      }
    },
  };
}
