import type { BasicsBundle } from '../../bundle/coverage.js';
import { checkOptions } from '@plinth/protocol';
import type { HostCallContext } from '../../bundle/host-bundle.js';
import { requestFileBundleOptionsSchema } from '../../options/basics-options.js';

/** The files the embedding app supplies for one plugin's current call, by key. */
export type RequestFiles = ReadonlyMap<string, Uint8Array>;

/** Options of `createRequestFileBundle`. */
export interface RequestFileBundleOptions {
  /**
   * Files for a call that carries none of its own (`context.requestFiles`); `undefined` when the app
   * supplied none. E.g. `scope.lookup`.
   */
  files?: ((context: HostCallContext) => RequestFiles | undefined) | undefined;
}

const EMPTY = new Uint8Array(0);

/**
 * `host_request_file`, synchronous: the raw bytes under `key` in the call's files, or empty when there
 * are no files or no such key (the function has no failure shape). The call's own files
 * (`registry.command(id, name, params, { requestFiles })`) come first; only a call without them asks
 * `options.files`.
 */
export function createRequestFileBundle(
  options: RequestFileBundleOptions = {},
): BasicsBundle<'host_request_file'> {
  checkOptions('createRequestFileBundle', requestFileBundleOptionsSchema, options);
  return {
    host_request_file(request, context) {
      const files = context.requestFiles ?? options.files?.(context);
      return files?.get(request.key) ?? EMPTY;
    },
  };
}

/**
 * Scopes request files to a plugin for the duration of a call the app makes:
 * `await scope.run('acme.convert', { input: bytes }, () => registry.command('acme.convert', 'run', {}))`.
 * Keyed by plugin id, so nested or concurrent scopes for one plugin are merged (the innermost winning on
 * a key clash) and a call queued behind another sees the other's files too. Files for one call belong
 * in that call instead: `registry.command(id, name, params, { requestFiles })` carries them in its
 * `HostCallContext`, which no other call shares.
 */
export class RequestFileScope {
  readonly #scopes = new Map<string, RequestFiles[]>();

  /** The files visible to a call; the `files` option of `createRequestFileBundle`. */
  readonly lookup = (context: HostCallContext): RequestFiles | undefined => {
    const stack = this.#scopes.get(context.pluginId);
    if (stack === undefined) return undefined;
    if (stack.length === 1) return stack[0];
    return new Map(stack.flatMap((files) => [...files]));
  };

  /** Runs `fn` with `files` visible to `pluginId`'s host calls; removes them when `fn` settles. */
  run<T>(pluginId: string, files: RequestFiles | Readonly<Record<string, Uint8Array>>, fn: () => T): T {
    const map: RequestFiles = files instanceof Map ? files : new Map(Object.entries(files));
    const stack = this.#scopes.get(pluginId) ?? [];
    stack.push(map);
    this.#scopes.set(pluginId, stack);
    const release = () => {
      const index = stack.lastIndexOf(map);
      if (index !== -1) stack.splice(index, 1);
      if (stack.length === 0 && this.#scopes.get(pluginId) === stack) this.#scopes.delete(pluginId);
    };
    let result: T;
    try {
      result = fn();
    } catch (error) {
      release();
      throw error;
    }
    if (result instanceof Promise) return result.finally(release) as T;
    release();
    return result;
  }
}
