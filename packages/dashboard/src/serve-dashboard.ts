import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { NodeHost } from '@plinth/host-node';
import { checkOptions } from '@plinth/protocol';
import { assembleDashboard } from './create-dashboard.js';
import {
  serveDashboardOptionsSchema,
  type ServeDashboardOptions,
  type ServedDashboard,
} from './dashboard-options.js';

/**
 * Serves a dashboard for the host on a loopback address (anything else is refused with `invalid_options`)
 * and answers the address to print, with the access token in it (`…/plugins?token=…`). Only the `Host`
 * values of that address and port are accepted.
 */
export async function serveDashboard(
  host: NodeHost,
  options: ServeDashboardOptions = {},
): Promise<ServedDashboard> {
  checkOptions('serveDashboard', serveDashboardOptionsSchema, options);
  const { port: wanted = 0, hostname = '127.0.0.1', ...dashboardOptions } = options;
  let allowed: ReadonlySet<string> = new Set();
  const dashboard = assembleDashboard(host, dashboardOptions, () => allowed);
  const server = createAdaptorServer({ fetch: dashboard.fetch, hostname }) as Server;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, hostname, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await dashboard.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  allowed = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const origin = `http://${hostname === '::1' ? '[::1]' : hostname}:${port}`;
  return {
    url: `${origin}${dashboard.signInPath}`,
    port,
    close: async () => {
      await dashboard.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
