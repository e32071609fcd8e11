import { PlinthError, type PlinthErrorCode } from '@plinth/protocol';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { refusalPage } from '../pages/layout.js';

/** Scripts get JSON: a request that asks for it, or any `/api/` path. Browsers get pages. */
export function wantsJson(c: Context): boolean {
  return c.req.path.startsWith('/api/') || (c.req.header('accept') ?? '').includes('application/json');
}

/** A refused request, as JSON `{ error: { code, message } }` or as a page saying why. */
export function refuse(
  c: Context,
  status: ContentfulStatusCode,
  code: PlinthErrorCode,
  message: string,
): Response | Promise<Response> {
  if (wantsJson(c)) return c.json({ error: { code, message } }, status);
  return c.html(refusalPage(status, message), status);
}

/** A failed change in words, with the error's code: what a person reads and a script switches over. */
export function describeFailure(error: unknown): {
  code: PlinthErrorCode;
  message: string;
  status: ContentfulStatusCode;
} {
  if (!PlinthError.isInstance(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return { code: 'load_failed', message: `the host failed: ${message}`, status: 500 };
  }
  const status = error.code === 'not_handled' ? 404 : error.code.startsWith('invalid_') ? 400 : 409;
  return { code: error.code, message: error.message, status };
}

/** A bad form field or query parameter: `invalid_params`, naming each field and what is wrong with it. */
export function badInput(
  what: string,
  issues: readonly { path: PropertyKey[]; message: string }[],
): PlinthError {
  const problems = issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return field === '' ? issue.message : `\`${field}\` ${issue.message}`;
  });
  return new PlinthError('invalid_params', `${what}: ${problems.join('; ')}`);
}
