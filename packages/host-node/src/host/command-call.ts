import { PlinthError, type JsonValue } from '@plinth/protocol';
import type { CancellationRegistry } from '@plinth/host-kit';
import type { CommandCallOptions } from '@plinth/runtime';
import type { NodeHostCommandOptions } from './node-host-types.js';

/** The params key that carries a call's cancellation token to the guest. */
export const CANCEL_TOKEN_PARAM = 'cancel_token';

export interface CommandCall {
  params: JsonValue | null;
  options: CommandCallOptions;
  /** Forgets the call's cancellation token; call once the command settled. */
  release(): void;
}

/**
 * Turns `NodeHost.command`'s options into what the registry takes: the files travel in the call's own
 * context (so concurrent calls never share them), and a signal becomes a token, registered for this
 * plugin only and handed to the guest in the params.
 */
export function prepareCommandCall(args: {
  pluginId: string;
  command: string;
  params: JsonValue | null;
  options: NodeHostCommandOptions;
  cancellation: CancellationRegistry;
}): CommandCall {
  const { pluginId, command, options } = args;
  const where = `command ${pluginId} ${command}`;
  const requestFiles = options.files === undefined ? undefined : filesMap(options.files, where, pluginId);
  const callOptions: CommandCallOptions = requestFiles === undefined ? {} : { requestFiles };
  const { signal } = options;
  if (signal === undefined) return { params: args.params, options: callOptions, release: () => undefined };
  signal.throwIfAborted();
  const params = paramsObject(args.params, where, pluginId);
  const token = args.cancellation.create({ pluginId, signal });
  return {
    params: { ...params, [CANCEL_TOKEN_PARAM]: token },
    options: callOptions,
    release: () => args.cancellation.release(token),
  };
}

function filesMap(
  files: NonNullable<NodeHostCommandOptions['files']>,
  where: string,
  pluginId: string,
): ReadonlyMap<string, Uint8Array> {
  const entries: [string, unknown][] =
    files instanceof Map ? [...(files as ReadonlyMap<string, unknown>)] : Object.entries(files);
  for (const [key, bytes] of entries) {
    if (!(bytes instanceof Uint8Array)) {
      const got = bytes === null ? 'null' : typeof bytes;
      throw new PlinthError(
        'invalid_options',
        `${where}: option \`files.${key}\` must be a Uint8Array (got ${got})`,
        { pluginId },
      );
    }
  }
  return new Map(entries as [string, Uint8Array][]);
}

/** The params the token can join: an object without that key, or null (an empty object). */
function paramsObject(params: JsonValue | null, where: string, pluginId: string): Record<string, JsonValue> {
  if (params === null) return {};
  const refuse = (why: string) =>
    new PlinthError(
      'invalid_params',
      `${where}: a call with a signal adds \`${CANCEL_TOKEN_PARAM}\` to its params, so they must be ${why}`,
      { pluginId },
    );
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw refuse(`an object or null (got ${Array.isArray(params) ? 'an array' : typeof params})`);
  }
  if (CANCEL_TOKEN_PARAM in params) throw refuse(`without a \`${CANCEL_TOKEN_PARAM}\` key of their own`);
  return params;
}
