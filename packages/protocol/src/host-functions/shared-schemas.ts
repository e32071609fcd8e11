import { z } from 'zod';

/** A workspace-relative path as a guest sends it; the host normalizes and contains it before any I/O. */
export const pathField = z.string().describe('Workspace-relative path.');

/** Standard base64 (RFC 4648 §4, with padding). Bad base64 is a failure answer, never a trap. */
export const base64Field = z.base64({ error: 'must be standard base64' });

/** A request naming one workspace path: `{path}`. */
export const pathRequest = z.object({ path: pathField });
/** A request naming one storage key: `{key}`, non-empty. */
export const keyRequest = z.object({ key: z.string().min(1, { error: 'key must be a non-empty string' }) });

/** The empty-string success answer. */
export const emptyText = z.literal('').describe('Empty string.');
/** A `{data}` answer whose data is base64 bytes. */
export const dataResponse = z.object({ data: z.string().describe('base64') });
/** The `{"ok": true}` success answer. */
export const okResponse = z.object({ ok: z.literal(true) });
/** A JSON array of strings, e.g. workspace-relative paths. */
export const stringList = z.array(z.string());
