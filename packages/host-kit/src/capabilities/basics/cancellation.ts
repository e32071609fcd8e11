import type { BasicsBundle } from '../../bundle/coverage.js';
import { checkOptions } from '@plinth/protocol';
import type { HostCallContext } from '../../bundle/host-bundle.js';
import { cancellationBundleOptionsSchema } from '../../options/basics-options.js';

/** Options of `createCancellationBundle`; a `CancellationRegistry`'s `isCancelled` fits. */
export interface CancellationBundleOptions {
  /** Whether the operation `token` names is cancelled, for this caller. Unknown tokens: false. */
  isCancelled: (token: string, context: HostCallContext) => boolean;
}

/** `host_is_cancelled`, synchronous: `{"cancelled": true|false}`. */
export function createCancellationBundle(
  options: CancellationBundleOptions,
): BasicsBundle<'host_is_cancelled'> {
  checkOptions('createCancellationBundle', cancellationBundleOptionsSchema, options);
  return {
    host_is_cancelled(request, context) {
      return JSON.stringify({ cancelled: options.isCancelled(request.token, context) === true });
    },
  };
}

/** Options of `CancellationRegistry.create`. */
export interface CreateTokenOptions {
  /** Only this plugin sees the token as cancelled; others get false, as for an unknown token. */
  pluginId?: string | undefined;
  /** Cancels the token when the signal aborts. */
  signal?: AbortSignal | undefined;
}

/**
 * Cancellation tokens the app hands to plugins (e.g. in command params): create, cancel, release.
 * Tokens are random UUIDs, so a plugin cannot guess another operation's token.
 */
export class CancellationRegistry {
  readonly #tokens = new Map<
    string,
    { cancelled: boolean; pluginId: string | undefined; detach?: () => void }
  >();

  /**
   * A new token, not cancelled (unless `signal` has aborted already); `release` it when the operation ends.
   */
  create(options: CreateTokenOptions = {}): string {
    const token = globalThis.crypto.randomUUID();
    const entry: { cancelled: boolean; pluginId: string | undefined; detach?: () => void } = {
      cancelled: options.signal?.aborted ?? false,
      pluginId: options.pluginId,
    };
    const { signal } = options;
    if (signal !== undefined && !signal.aborted) {
      const onAbort = () => {
        entry.cancelled = true;
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.detach = () => signal.removeEventListener('abort', onAbort);
    }
    this.#tokens.set(token, entry);
    return token;
  }

  /** Marks the token cancelled; false when it is unknown or released. */
  cancel(token: string): boolean {
    const entry = this.#tokens.get(token);
    if (entry === undefined) return false;
    entry.cancelled = true;
    return true;
  }

  /** The `isCancelled` option of `createCancellationBundle`. */
  readonly isCancelled = (token: string, context?: HostCallContext): boolean => {
    const entry = this.#tokens.get(token);
    if (entry === undefined) return false;
    if (entry.pluginId !== undefined && context !== undefined && context.pluginId !== entry.pluginId)
      return false;
    return entry.cancelled;
  };

  /** Forgets a finished operation's token. */
  release(token: string): void {
    this.#tokens.get(token)?.detach?.();
    this.#tokens.delete(token);
  }

  get size(): number {
    return this.#tokens.size;
  }
}
