import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFetchTransport } from '@plinth/host-browser';
import { createNodeHttpBundle, createNodeHttpTransport } from '@plinth/host-node/http';
import { createAllowAllChecker } from '@plinth/permissions';
import { getHostFunction } from '@plinth/protocol';
import { describeHttpContract, respondToHttpContractRequest } from '@plinth/testkit/contracts';
import { createRouteTableTransport } from '@plinth/testkit/twins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const lowerCaseHeaders = (headers: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

describeHttpContract('route-table twin', () => {
  const origin = 'https://contract.test';
  const transport = createRouteTableTransport([
    {
      url: /^https:\/\/contract\.test\//,
      respond: (request) => {
        const url = new URL(request.url);
        return respondToHttpContractRequest({
          method: request.method,
          path: `${url.pathname}${url.search}`,
          headers: lowerCaseHeaders(request.headers),
          body: request.body ?? new Uint8Array(),
        });
      },
    },
  ]);
  return { transport, origin };
});

/** A loopback node:http server answering the contract routes. */
async function startContractServer(): Promise<{ server: Server; origin: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push(`${request.method} ${request.url}`);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers[name] = value;
      }
      const answer = respondToHttpContractRequest({
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers,
        body: new Uint8Array(Buffer.concat(chunks)),
      });
      response.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, requests };
}

const stop = (server: Server) =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  });

describeHttpContract('node transport (undici) on loopback', async () => {
  const { server, origin } = await startContractServer();
  // Loopback is refused by default; the test names it explicitly.
  const transport = createNodeHttpTransport({ allowPrivateHosts: ['127.0.0.1'] });
  return {
    transport,
    origin,
    close: async () => {
      await transport.close();
      await stop(server);
    },
  };
});

// The browser host's fetch transport where fetch shows redirects to scripts (Node's): the bundle follows
// them hop by hop. In Chromium, where redirects are opaque, test/browser/host-browser.test.ts runs it.
describeHttpContract('fetch transport (@plinth/host-browser) on Node fetch', async () => {
  const { server, origin } = await startContractServer();
  return { transport: createFetchTransport(), origin, close: async () => void (await stop(server)) };
});

describe('node transport: private destinations are refused by default', () => {
  let contract: Awaited<ReturnType<typeof startContractServer>>;
  beforeAll(async () => {
    contract = await startContractServer();
  });
  afterAll(() => stop(contract.server));

  const spec = getHostFunction('host_http_request');
  async function fetchWith(url: string, network: Parameters<typeof createNodeHttpTransport>[0]) {
    const node = createNodeHttpBundle({ permissions: createAllowAllChecker(), network });
    const decoded = spec.decodeRequest(JSON.stringify({ url, method: 'GET', headers: {} }));
    if (!decoded.ok) throw decoded.error;
    try {
      const answer = await node.bundle.host_http_request?.(decoded.value, {
        pluginId: 'p.x',
        exportName: 'x',
      });
      return typeof answer === 'string'
        ? answer
        : spec.failureOutput((answer as { failure: string }).failure);
    } finally {
      await node.close();
    }
  }
  const refusal = (via: string) => {
    const message = `host_http_request: destination refused: ${via}, a loopback address, is not reachable from plugins (the host's allowPrivateHosts does not name it)`;
    return JSON.stringify({ status: 0, headers: {}, body: message, error: message });
  };

  it('refuses a loopback literal, localhost and a name resolving to 127.0.0.1, without connecting', async () => {
    const port = new URL(contract.origin).port;
    expect(await fetchWith(`${contract.origin}/text`, {})).toBe(refusal('127.0.0.1'));
    expect(await fetchWith(`http://localhost:${port}/text`, {})).toMatch(
      /destination refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
    );
    const rebinding = { resolve: async () => [{ address: '127.0.0.1', family: 4 }] };
    expect(await fetchWith(`http://public.example:${port}/text`, rebinding)).toBe(
      refusal('public.example resolves to 127.0.0.1'),
    );
    expect(contract.requests).toEqual([]);
  });

  it('refuses a redirect from an allowed server into a private address it was not told about', async () => {
    const to = encodeURIComponent('http://169.254.169.254/latest/meta-data/');
    const answer = JSON.parse(
      await fetchWith(`${contract.origin}/redirect?status=302&to=${to}`, {
        allowPrivateHosts: ['127.0.0.1'],
      }),
    ) as { error: string };
    expect(answer.error).toBe(
      "host_http_request: destination refused: 169.254.169.254, a cloud metadata address, is not reachable from plugins (the host's allowPrivateHosts does not name it)",
    );
  });
});
