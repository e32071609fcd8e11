import type { NodeHost } from '@plinth/host-node';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { DashboardEnv } from './dashboard-env.js';
import { badInput, describeFailure, wantsJson } from './respond.js';
import { actionSchemas, type ActionName } from './request-schemas.js';

type Fields<A extends ActionName> = z.output<(typeof actionSchemas)[A]>;

/**
 * Each change calls the NodeHost method the CLI calls, and answers in words what it did. Nothing here
 * knows more about plugins than the host says.
 */
function changes(host: NodeHost): { [A in ActionName]: (fields: Fields<A>) => Promise<string> } {
  return {
    reload: async ({ plugin }) =>
      `Reloaded ${plugin} (version ${(await host.reload(plugin)).version ?? '?'}).`,
    release: async ({ plugin }) => `Released ${plugin}: it is ${(await host.release(plugin)).state}.`,
    quarantine: async ({ plugin, reason }) => {
      await host.quarantine(plugin, reason === '' ? undefined : reason);
      return `Quarantined ${plugin}.`;
    },
    uninstall: async ({ plugin }) => {
      await host.uninstall(plugin);
      return `Uninstalled ${plugin}.`;
    },
    grant: async ({ plugin, permission, scope }) => {
      await host.grant(plugin, permission, scope);
      return `Granted ${permission} on “${scope}” to ${plugin}.`;
    },
    revoke: async ({ plugin, permission, scope }) => {
      await host.revoke(plugin, permission, scope);
      return `Revoked ${permission}${scope === undefined ? '' : ` on “${scope}”`} from ${plugin}.`;
    },
  };
}

/** The outcome of a change: JSON for scripts, else a notice on the page the user came from. */
export async function answer(
  c: Context<DashboardEnv>,
  back: string,
  run: () => Promise<string>,
): Promise<Response> {
  try {
    const message = await run();
    if (wantsJson(c)) return c.json({ ok: true, message });
    c.get('session').notice = { kind: 'ok', text: message };
  } catch (error) {
    const failure = describeFailure(error);
    if (wantsJson(c))
      return c.json({ error: { code: failure.code, message: failure.message } }, failure.status);
    c.get('session').notice = { kind: 'error', text: `${failure.message} [${failure.code}]` };
  }
  return c.redirect(back, 303);
}

/** POST /actions/<name>: reload, release, quarantine, uninstall, grant, revoke. */
export function registerActionRoutes(app: Hono<DashboardEnv>, host: NodeHost): void {
  const run = changes(host);
  app.post('/actions/:action', async (c) => {
    const name = c.req.param('action');
    if (!Object.hasOwn(actionSchemas, name)) {
      return answer(c, '/plugins', () =>
        Promise.reject(badInput('action', [{ path: [], message: `${name} is not a dashboard action` }])),
      );
    }
    const action = name as ActionName;
    const parsed = actionSchemas[action].safeParse(await c.req.parseBody());
    if (!parsed.success) {
      return answer(c, '/plugins', () => Promise.reject(badInput(action, parsed.error.issues)));
    }
    const change = run[action] as (fields: Fields<typeof action>) => Promise<string>;
    return answer(c, parsed.data.back, () => change(parsed.data));
  });
}
