import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { checkOptions, defineOptions, wholeNumberOption } from '@plinth/protocol';
import { z } from 'zod';
import type { PluginToolServer } from './plugin-tool-server.js';

/** What `serveHttp` may be told: the port, and which Host and Origin headers it accepts besides its own. */
export interface ServeHttpOptions {
  /** The port on 127.0.0.1. Default 0: the OS picks one (read it from the result). */
  port?: number;
  /**
   * `Host` header values accepted besides `127.0.0.1:<port>` and `localhost:<port>`, e.g. the name a local
   * reverse proxy forwards. Compared without case.
   */
  allowedHosts?: readonly string[];
  /**
   * `Origin` header values accepted besides `http://127.0.0.1:<port>` and `http://localhost:<port>`. A
   * request without `Origin` (not from a browser page) passes; compared without case.
   */
  allowedOrigins?: readonly string[];
}

/** A running MCP HTTP endpoint on 127.0.0.1. */
export interface HttpMcpServer {
  /** `http://127.0.0.1:<port>/mcp`, the endpoint to give clients. */
  url: string;
  port: number;
  /** Ends every session and stops listening. */
  close(): Promise<void>;
}

const headerList = (what: string) =>
  z.array(z.string().min(1)).describe(`an array of ${what} (non-empty strings)`).readonly();

const optionsSchema = defineOptions<ServeHttpOptions>()(
  z.strictObject({
    port: wholeNumberOption(0, 65_535).optional(),
    allowedHosts: headerList('Host header values').optional(),
    allowedOrigins: headerList('origins').optional(),
  }),
);

const ENDPOINT = '/mcp';

function reject(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/**
 * Why a request may not reach the plugins, if it may not: a `Host` other than the loopback names (DNS
 * rebinding: a web page whose name now points at 127.0.0.1), or a browser page from another origin.
 */
function refusal(req: IncomingMessage, hosts: ReadonlySet<string>, origins: ReadonlySet<string>) {
  const host = req.headers.host;
  if (host === undefined || !hosts.has(host.toLowerCase())) return `Invalid Host header: ${host ?? '(none)'}`;
  const origin = req.headers.origin;
  if (origin !== undefined && !origins.has(origin.toLowerCase())) return `Invalid Origin header: ${origin}`;
  return undefined;
}

/**
 * Streamable HTTP on 127.0.0.1 at `/mcp`, one stateful session (and SDK server) per client. Every request
 * is checked for its `Host` and `Origin` before anything else, so a web page cannot drive the plugins.
 */
export async function serveHttp(
  tools: PluginToolServer,
  options: ServeHttpOptions = {},
): Promise<HttpMcpServer> {
  checkOptions('serveHttp', optionsSchema, options);
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  let hosts: ReadonlySet<string> = new Set();
  let origins: ReadonlySet<string> = new Set();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const refused = refusal(req, hosts, origins);
    if (refused !== undefined) return reject(res, 403, refused);
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== ENDPOINT)
      return reject(res, 404, `not found: the MCP endpoint is ${ENDPOINT}`);
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (existing) return existing.handleRequest(req, res);
    if (sessionId !== undefined) return reject(res, 404, `unknown session ${String(sessionId)}`);
    if (req.method !== 'POST') return reject(res, 400, 'start a session with an initialize POST first');
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await tools.createServer({ transport: 'http' }).connect(transport);
    try {
      await transport.handleRequest(req, res);
    } finally {
      // A POST that opened no session (not an initialize, or a bad one) leaves no server behind.
      if (transport.sessionId === undefined) await transport.close();
    }
  };
  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reject(res, 500, `internal error: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve, rejectListen) => {
    http.once('error', rejectListen);
    http.listen(options.port ?? 0, '127.0.0.1', () => {
      http.off('error', rejectListen);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const lower = (values: readonly string[] | undefined) => (values ?? []).map((value) => value.toLowerCase());
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, ...lower(options.allowedHosts)]);
  origins = new Set([
    `http://127.0.0.1:${port}`,
    `http://localhost:${port}`,
    ...lower(options.allowedOrigins),
  ]);
  return {
    url: `http://127.0.0.1:${port}${ENDPOINT}`,
    port,
    close: async () => {
      await Promise.allSettled([...sessions.values()].map((transport) => transport.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
