import { z } from 'zod';

// What the browser demo's server answers and the page reads, route by route. The page checks every
// answer against these schemas before it uses it; no Node module here, so the page bundles this file.

/** The routes of `plinth-demo browser` besides the page's files: JSON, and one plain-text greeting. */
export const BROWSER_ROUTES = {
  plugins: '/api/plugins',
  notes: '/api/notes',
  policy: '/api/policy',
  /** Plain text (`HELLO_TEXT`): something on the page's own origin for the HTTP plugin to fetch. */
  hello: '/api/hello',
} as const;

/** What `/api/hello` answers. */
export const HELLO_TEXT = 'Hello from the plinth-demo server, on loopback.\n';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** One golden plugin the server offers: where its module is, and the sha256 the page pins the load to. */
export const servedPluginSchema = z.strictObject({
  id: z.string().min(1),
  /** The guest in `@plinth/guests` it is built from (e.g. `as-notes`). */
  guest: z.string().min(1),
  /** On the server's own origin: `/plugins/<id>.wasm`. */
  url: z.string().startsWith('/plugins/'),
  sha256: z.string().regex(SHA256_HEX, 'a sha256 is 64 lowercase hex digits'),
  size: z.number().int().positive(),
});
export type ServedPlugin = z.infer<typeof servedPluginSchema>;

export const pluginListSchema = z.strictObject({ plugins: z.array(servedPluginSchema) });

/** The committed sample notes, as text, with workspace-relative `/` paths. */
export const sampleNotesSchema = z.strictObject({
  files: z.array(z.strictObject({ path: z.string().min(1), text: z.string() })),
});
export type SampleNotes = z.infer<typeof sampleNotesSchema>;

/**
 * The sample README's front-matter policy. The page gives `policy` to a `PolicyStore`, whose own check
 * names the plugin and permission of anything malformed.
 */
export const policyAnswerSchema = z.strictObject({
  /** Where it was read, for the page to say. */
  source: z.string(),
  policy: z.unknown(),
});
