import { z } from 'zod';
import { defineHostFunction } from './define.js';
import { base64Field, okResponse } from './shared-schemas.js';

/** Timeout bounds for outgoing HTTP, in milliseconds; a guest's `timeout_ms` is clamped into them. */
export const HTTP_TIMEOUT_MS = { min: 1_000, max: 300_000, default: 30_000 } as const;

const headers = z.record(z.string(), z.string());

/** The success answer of `host_http_request` and `host_proxy_request`. */
export const httpResponse = z.object({
  status: z.number().int().describe('HTTP status; a status ≥ 400 is an answer, not a failure.'),
  headers,
  body: z.string().describe('Body decoded as UTF-8 (lossy).'),
  body_base64: z.string().describe('Body bytes, base64.'),
});

export const hostHttpRequest = defineHostFunction({
  name: 'host_http_request',
  set: 'required',
  capability: 'http',
  summary: 'Make an HTTP request.',
  request: z.object({
    url: z.string().min(1, { error: 'url must be a non-empty string' }),
    method: z.string().default('GET'),
    headers: headers.default({}),
    body: z.string().optional(),
    body_base64: base64Field.optional().describe('Binary body; wins over `body`.'),
    timeout_ms: z
      .number()
      .optional()
      .describe(
        `Clamped to ${HTTP_TIMEOUT_MS.min}–${HTTP_TIMEOUT_MS.max} ms; default ${HTTP_TIMEOUT_MS.default}.`,
      ),
  }),
  success: { kind: 'json', schema: httpResponse, description: '`{status, headers, body, body_base64}`' },
  failure: 'H',
  permission: {
    types: ['http_requests'],
    rule: 'http_requests on the full URL (its host name decides), checked again on every redirect hop',
    target: (request) => request.url,
  },
});

export const hostProxyRequest = defineHostFunction({
  name: 'host_proxy_request',
  set: 'extended',
  capability: 'unsupported',
  summary: "Call a named proxy on the embedding app's server, with the app's credentials.",
  request: z.object({
    proxy_id: z.string().min(1),
    path: z.string().default(''),
    method: z.string().default('POST'),
    headers: headers.default({}),
    body: z.string().optional(),
  }),
  success: { kind: 'json', schema: httpResponse, description: '`{status, headers, body, body_base64}`' },
  failure: 'H',
  permission: null,
});

/** The request of `host_ws_request`: connect, send binary or text, or disconnect. */
export const wsRequest = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('connect'),
    server_url: z.string().min(1),
    workspace_id: z.string(),
    auth_token: z.string().optional(),
    session_code: z.string().optional(),
    write_to_disk: z.boolean().optional(),
  }),
  z.object({ type: z.literal('send_binary'), data: base64Field }),
  z.object({ type: z.literal('send_text'), text: z.string() }),
  z.object({ type: z.literal('disconnect') }),
]);

export const hostWsRequest = defineHostFunction({
  name: 'host_ws_request',
  set: 'required',
  capability: 'ws',
  summary: 'Drive the WebSocket bridge: connect, send binary or text, disconnect.',
  request: wsRequest,
  success: { kind: 'json', schema: okResponse, description: '`{"ok": true}`' },
  failure: 'O',
  permission: {
    types: ['http_requests'],
    rule: 'http_requests on server_url, for `connect` only',
    target: (request) => (request.type === 'connect' ? request.server_url : null),
  },
});
