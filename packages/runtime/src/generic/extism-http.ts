import { makeDecision, prepareTarget, type PermissionChecker } from '@plinth/permissions';
import { getHostFunction } from '@plinth/protocol';
import { decodeBase64, encodeBase64 } from '@plinth/host-kit/engine';
import { createHttpBundle, type HttpTransport } from '@plinth/host-kit';
import type { HostCallContext } from '@plinth/host-kit';
import { EXTISM_KERNEL_NAMESPACE } from '../module/validate-imports.js';
import { userFunctionError, type UserFunctionEntry } from './user-functions.js';

export interface ExtismHttpOptions {
  /** Extism's `allowed_hosts`: host names where `*` stands for any run of characters (`*.example.com`). */
  allowedHosts: readonly string[];
  /** The transport `host_http_request` uses too (e.g. `createNodeHttpTransport` from @plinth/host-node/http). */
  transport: HttpTransport;
  responseMaxBytes: number;
  timeoutMs: number;
  /**
   * The app's own permission check, on top of `allowed_hosts`: every hop must pass both (a host's policy
   * `http_requests`, so grants, revokes and recorded denials apply to generic plugins too).
   */
  permissions?: PermissionChecker | undefined;
}

const escape = (text: string): string => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Whether a host matches one of Extism's `allowed_hosts` patterns (case-insensitive, `*` any run). */
export function allowedHostMatcher(patterns: readonly string[]): (host: string) => string | undefined {
  const compiled = patterns.map((pattern) => ({
    pattern,
    regex: new RegExp(`^${pattern.toLowerCase().split('*').map(escape).join('.*')}$`),
  }));
  return (host) => compiled.find(({ regex }) => regex.test(host.toLowerCase()))?.pattern;
}

/** A checker that allows `http_requests` to the allowed hosts only (every redirect hop is checked too). */
function allowedHostsChecker(patterns: readonly string[]): PermissionChecker {
  const match = allowedHostMatcher(patterns);
  const check: PermissionChecker['check'] = (request) => {
    const prepared = prepareTarget(request);
    if (!prepared.ok) return prepared.decision;
    const pattern = request.type === 'http_requests' ? match(prepared.normalized) : undefined;
    return makeDecision({
      outcome: pattern === undefined ? 'denied' : 'allowed',
      permission: request.type,
      pluginId: request.pluginId,
      target: request.target,
      normalizedTarget: prepared.normalized,
      reason: pattern === undefined ? 'no_matching_scope' : 'matched_include',
      ...(pattern === undefined ? {} : { rule: { kind: 'include', scope: pattern } }),
    });
  };
  return { check, checkAsync: async (request) => check(request) };
}

/** Allows what both checkers allow; the first refusal is the answer. */
function bothCheckers(first: PermissionChecker, second: PermissionChecker | undefined): PermissionChecker {
  if (second === undefined) return first;
  const check: PermissionChecker['check'] = (request) => {
    const decision = first.check(request);
    return decision.allowed ? second.check(request) : decision;
  };
  return { check, checkAsync: async (request) => check(request) };
}

interface ExtismHttpRequest {
  url?: unknown;
  method?: unknown;
  headers?: unknown;
}

/**
 * Extism's own `http_request`, `http_status_code` and `http_headers` kernel functions, served through the
 * same path as `host_http_request` (URL, method and header checks, the host allowed on every redirect hop,
 * the size cap and the timeout) with `allowed_hosts` as the permission. A refused or failed request fails
 * the guest's call with `host_function_failed` naming the reason, as Extism fails it. A request that goes
 * out answers a promise, so it needs the isolated lane; a refused one fails at once in either lane.
 */
export function extismHttpEntries(options: ExtismHttpOptions): UserFunctionEntry[] {
  const spec = getHostFunction('host_http_request');
  const allowedHosts = allowedHostsChecker(options.allowedHosts);
  const handler = createHttpBundle({
    transport: options.transport,
    permissions: bothCheckers(allowedHosts, options.permissions),
    limits: { responseMaxBytes: options.responseMaxBytes, defaultTimeoutMs: options.timeoutMs },
  }).host_http_request;
  if (handler === undefined) throw new Error('unreachable: the HTTP bundle serves host_http_request');
  let status = 0;
  let headers: Record<string, string> = {};
  const entry = (name: string, run: UserFunctionEntry['handler']): UserFunctionEntry => ({
    namespace: EXTISM_KERNEL_NAMESPACE,
    name,
    handler: run,
  });
  const send = async (
    request: Parameters<NonNullable<typeof handler>>[0],
    call: HostCallContext,
    fail: (why: string) => Error,
    context: Parameters<UserFunctionEntry['handler']>[0],
  ) => {
    const answer = await handler(request, call);
    if (typeof answer !== 'string') {
      const why = answer instanceof Uint8Array ? 'unexpected bytes' : answer.failure;
      throw fail(why.startsWith('Permission denied') ? `host not in allowed_hosts (${why})` : why);
    }
    const response = JSON.parse(answer) as {
      status: number;
      headers: Record<string, string>;
      body_base64: string;
    };
    status = response.status;
    headers = response.headers;
    return context.store(decodeBase64(response.body_base64));
  };
  return [
    // Not async: a refusal of the first hop throws at once, so the in-thread lane reports it as it is
    // (only a request that goes out needs the isolated lane, which can wait for it).
    entry('http_request', (context, requestOffset, bodyOffset) => {
      const call: HostCallContext = { pluginId: context.pluginId, exportName: context.exportName };
      const fail = (why: string) => userFunctionError(`http_request: ${why}`, call);
      const request = context.readJson<ExtismHttpRequest>(requestOffset ?? 0n);
      const body = bodyOffset === undefined ? null : (context.read(bodyOffset)?.bytes() ?? null);
      const decoded = spec.decodeRequest(
        JSON.stringify({
          url: request.url,
          method: request.method ?? 'GET',
          headers: request.headers ?? {},
          ...(body === null || body.length === 0 ? {} : { body_base64: encodeBase64(body) }),
        }),
      );
      if (!decoded.ok) throw fail(`the request is malformed: ${decoded.error.message}`);
      const allowed = allowedHosts.check({
        pluginId: call.pluginId,
        type: 'http_requests',
        target: decoded.value.url,
      });
      if (!allowed.allowed)
        throw fail(`host not in allowed_hosts (${allowed.normalizedTarget ?? decoded.value.url})`);
      const granted = options.permissions?.check({
        pluginId: call.pluginId,
        type: 'http_requests',
        target: decoded.value.url,
        via: 'http_request',
      });
      if (granted !== undefined && !granted.allowed) {
        throw fail(
          `permission_denied: the host's policy does not grant http_requests to ${granted.normalizedTarget ?? decoded.value.url}`,
        );
      }
      return send(decoded.value, call, fail, context);
    }),
    entry('http_status_code', () => status),
    entry('http_headers', (context) => context.storeJson(headers)),
  ];
}
