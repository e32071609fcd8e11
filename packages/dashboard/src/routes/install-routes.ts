import type { NodeHost } from '@plinth/host-node';
import type { Hono } from 'hono';
import { keepUpload, randomToken } from '../security/access.js';
import { answer } from './action-routes.js';
import type { DashboardEnv } from './dashboard-env.js';
import { badInput, describeFailure, wantsJson } from './respond.js';
import { acceptSchema } from './request-schemas.js';

const fileBytes = async (value: unknown): Promise<Uint8Array | undefined> =>
  value instanceof File && value.size > 0 ? new Uint8Array(await value.arrayBuffer()) : undefined;

/**
 * Installing in two steps: POST /install inspects an upload (host.inspect: checked, nothing written) and
 * keeps it for the session; POST /install/accept installs exactly those bytes (pinned by their sha256)
 * with what the user chose to grant.
 */
export function registerInstallRoutes(app: Hono<DashboardEnv>, host: NodeHost): void {
  app.post('/install', async (c) => {
    const body = await c.req.parseBody();
    const session = c.get('session');
    try {
      const bytes = await fileBytes(body['module']);
      if (bytes === undefined) {
        throw badInput('install', [{ path: ['module'], message: 'is required: choose a .wasm file' }]);
      }
      const signature = await fileBytes(body['signature']);
      const pin = typeof body['sha256'] === 'string' ? body['sha256'].trim() : '';
      const inspection = await host.inspect(
        { bytes },
        { ...(pin === '' ? {} : { sha256: pin }), ...(signature === undefined ? {} : { signature }) },
      );
      const id = randomToken();
      keepUpload(session, { id, bytes, signature, inspection });
      if (wantsJson(c)) return c.json({ upload: id, inspection });
      return c.redirect(`/install/review?upload=${id}`, 303);
    } catch (error) {
      const failure = describeFailure(error);
      if (wantsJson(c))
        return c.json({ error: { code: failure.code, message: failure.message } }, failure.status);
      session.notice = { kind: 'error', text: `${failure.message} [${failure.code}]` };
      return c.redirect('/install', 303);
    }
  });

  app.post('/install/accept', async (c) => {
    const parsed = acceptSchema.safeParse(await c.req.parseBody());
    if (!parsed.success)
      return answer(c, '/install', () => Promise.reject(badInput('install', parsed.error.issues)));
    const session = c.get('session');
    const upload = session.uploads.get(parsed.data.upload);
    if (upload === undefined) {
      return answer(c, '/install', () =>
        Promise.reject(
          badInput('install', [
            { path: ['upload'], message: 'is gone (a few are kept): upload the module again' },
          ]),
        ),
      );
    }
    const { inspection } = upload;
    return answer(c, '/plugins', async () => {
      const result = await host.install(
        { bytes: upload.bytes },
        {
          sha256: inspection.sha256,
          grantRequested: parsed.data.grant === 'requested',
          ...(inspection.outcome === 'replaced' ? { replace: true } : {}),
          ...(upload.signature === undefined ? {} : { signature: upload.signature }),
        },
      );
      session.uploads.delete(upload.id);
      const granted =
        result.granted.length === 0 ? 'nothing granted' : `granted ${result.granted.join(', ')}`;
      return `Installed ${result.id} ${result.version} (${result.outcome}); ${granted}.`;
    });
  });
}
