import { z } from 'zod';
import type { PluginLimits } from '../limits.js';

/*
 * An Extism manifest, as the Extism SDKs take it: where the wasm comes from (one module, or several linked
 * by name), memory limits, config, allowed hosts and paths, and a timeout. Keys are Extism's own snake_case;
 * the camelCase spellings of the JavaScript SDK are accepted too.
 */

const SHA256 = /^[0-9a-f]{64}$/i;

const wasmCommon = {
  /** Hex sha256 the bytes must have. */
  hash: z.string().regex(SHA256, { error: 'must be 64 hex digits (a sha256)' }).optional(),
  /** The module name other entries import from; the entry named `main` (or the last one) is the plugin. */
  name: z.string().min(1).max(256).optional(),
};

const wasmData = z.strictObject({
  data: z.union([z.instanceof(Uint8Array), z.base64({ error: 'must be bytes or standard base64' })]),
  ...wasmCommon,
});
const wasmPath = z.strictObject({ path: z.string().min(1), ...wasmCommon });
const wasmUrl = z.strictObject({
  url: z.union([z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }), z.instanceof(URL)]),
  ...wasmCommon,
});

export const extismWasmSchema = z.union([wasmData, wasmPath, wasmUrl]);
/**
 * One module of a manifest's `wasm` list: its `data`, `path` or `url`, with an optional sha256 `hash`
 * and `name`.
 */
export type ExtismWasm = z.output<typeof extismWasmSchema>;

const pages = z.int().min(1).max(65536);
const bytes = z
  .int()
  .min(0)
  .max(2 ** 31 - 1);

const memorySchema = z.strictObject({
  max_pages: pages.optional(),
  max_http_response_bytes: bytes.optional(),
  max_var_bytes: bytes.optional(),
});

/**
 * The zod schema of an Extism manifest, in snake_case (`openPlugin` maps the JavaScript SDK's camelCase
 * keys first). Strict: an unknown key is an error.
 */
export const extismManifestSchema = z.strictObject({
  wasm: z.array(extismWasmSchema).min(1, { error: 'must list at least one module' }).max(64),
  memory: memorySchema.optional(),
  config: z.record(z.string(), z.string()).optional(),
  /** Hosts `http_request` may reach: names with `*` globs (`*.example.com`), as Extism matches them. */
  allowed_hosts: z.array(z.string().min(1).max(253)).optional(),
  /** Host folder → path the guest sees it at (WASI); a `ro:` prefix on the host folder maps it read-only. */
  allowed_paths: z.record(z.string().min(1), z.string().min(1)).optional(),
  timeout_ms: z.int().min(1).nullable().optional(),
});

/**
 * An Extism manifest, as `openPlugin`'s `manifest` takes it: modules, memory limits, config, allowed hosts
 * and paths, timeout.
 */
export type ExtismManifest = z.output<typeof extismManifestSchema>;

const CAMEL: Readonly<Record<string, string>> = {
  allowedHosts: 'allowed_hosts',
  allowedPaths: 'allowed_paths',
  timeoutMs: 'timeout_ms',
  maxPages: 'max_pages',
  maxHttpResponseBytes: 'max_http_response_bytes',
  maxVarBytes: 'max_var_bytes',
};

/**
 * The manifest with the JavaScript SDK's camelCase keys in Extism's snake_case (top level and `memory`).
 * A key given both ways is left twice, so the strict schema names the duplicate.
 */
export function snakeCaseManifest(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const rename = (record: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(record).map(([key, entry]) => {
        const snake = CAMEL[key];
        return [snake !== undefined && !(snake in record) ? snake : key, entry];
      }),
    );
  const renamed = rename(value as Record<string, unknown>);
  const memory = renamed['memory'];
  if (typeof memory === 'object' && memory !== null && !Array.isArray(memory)) {
    renamed['memory'] = rename(memory as Record<string, unknown>);
  }
  return renamed;
}

/** The limits an Extism manifest sets, in Plinth's terms (only what it sets). */
export function limitsFromManifest(manifest: ExtismManifest): Partial<PluginLimits> {
  const limits: Partial<PluginLimits> = {};
  const memory = manifest.memory;
  if (memory?.max_pages !== undefined) {
    // Extism means the plugin's linear memory; rc13 applies it to host blocks too. Plinth caps both.
    limits.memoryMaxPages = memory.max_pages;
    limits.hostMemoryMaxPages = memory.max_pages;
  }
  if (memory?.max_http_response_bytes !== undefined)
    limits.httpResponseMaxBytes = memory.max_http_response_bytes;
  if (memory?.max_var_bytes !== undefined) limits.maxVarBytes = memory.max_var_bytes;
  if (manifest.timeout_ms !== undefined && manifest.timeout_ms !== null)
    limits.timeoutMs = manifest.timeout_ms;
  return limits;
}

/** The index of the plugin's own module: the entry named `main`, else the last one (as Extism links them). */
export function mainModuleIndex(wasm: readonly ExtismWasm[]): number {
  const named = wasm.findIndex((entry) => entry.name === 'main');
  return named === -1 ? wasm.length - 1 : named;
}
