import { defineOptions, wholeNumberOption } from '@plinth/protocol';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { DashboardEnv } from './routes/dashboard-env.js';

/** What `createDashboard` may be told: the Host headers to accept, the upload size, and the feed length. */
export interface DashboardOptions {
  /**
   * The `Host` header values accepted, e.g. `127.0.0.1:8080` when the app serves the dashboard on that port.
   * Default: any port of `127.0.0.1`, `localhost` or `[::1]`. Compared without case.
   */
  allowedHosts?: readonly string[];
  /** The largest request body (an upload) accepted, in bytes. Default 33 MiB: a 32 MiB module and its form. */
  maxUploadBytes?: number;
  /** How many log lines and events the logs page keeps. Default 1000. */
  feedSize?: number;
}

/**
 * A dashboard for one host, from `createDashboard`: the app to serve, its access token, and how to stop it.
 */
export interface Dashboard {
  /** The Hono app. Serve it at the root of an origin of its own: its links are absolute paths. */
  app: Hono<DashboardEnv>;
  /** The app's fetch handler, for any server that takes one (e.g. `@hono/node-server`). */
  fetch: (request: Request) => Response | Promise<Response>;
  /** The access token: opening any page with `?token=<it>` signs the browser in. */
  token: string;
  /** `/plugins?token=…`: the path to print (as Jupyter does) after the app's own origin. */
  signInPath: string;
  /** Stops observing the host and ends the live streams; the host stays open. */
  close(): Promise<void>;
}

/** What `serveDashboard` may be told: the loopback address and port, plus the dashboard's own options. */
export interface ServeDashboardOptions extends Omit<DashboardOptions, 'allowedHosts'> {
  /** Default 0: the OS picks a free port (read it from the result). */
  port?: number;
  /** A loopback address only. Default `127.0.0.1`. */
  hostname?: '127.0.0.1' | 'localhost' | '::1';
}

/** A dashboard being served by `serveDashboard`: where to open it, and how to stop it. */
export interface ServedDashboard {
  /** The address to open, with the access token: print it for the user. */
  url: string;
  port: number;
  /** Ends the live streams and stops listening; the host stays open. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 33 * 1024 * 1024;

const sharedShape = {
  maxUploadBytes: wholeNumberOption(1024, 1024 * 1024 * 1024).optional(),
  feedSize: wholeNumberOption(1, 1_000_000).optional(),
};

export const dashboardOptionsSchema = defineOptions<DashboardOptions>()(
  z.strictObject({
    ...sharedShape,
    allowedHosts: z
      .array(z.string().min(1))
      .describe('an array of Host header values (non-empty strings)')
      .readonly()
      .optional(),
  }),
);

export const serveDashboardOptionsSchema = defineOptions<ServeDashboardOptions>()(
  z.strictObject({
    ...sharedShape,
    port: wholeNumberOption(0, 65_535).optional(),
    hostname: z
      .enum(['127.0.0.1', 'localhost', '::1'])
      .describe(
        'a loopback address: 127.0.0.1, localhost or ::1 (the dashboard never listens beyond this machine)',
      )
      .optional(),
  }),
);
