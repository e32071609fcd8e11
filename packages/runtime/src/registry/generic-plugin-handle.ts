import { PlinthError } from '@plinth/protocol';
import { openPlugin, type GenericPlugin, type OpenPluginOptions } from '../open-plugin.js';
import type { PluginHandle } from './plugin-handle.js';

/**
 * A generic Extism plugin as the registry sees it: no manifest, commands or events, only raw export calls
 * (`registry.call`), with the registry's hot reload, failure policy and call records.
 */
export function genericPluginHandle(
  plugin: GenericPlugin,
  identity: { id: string; version?: string },
): PluginHandle {
  const { id } = identity;
  return {
    id,
    version: identity.version ?? plugin.loaded.sha256?.slice(0, 12) ?? 'unversioned',
    manifest: undefined,
    handles: () => false,
    command: (name) =>
      Promise.reject(
        new PlinthError(
          'not_handled',
          `plugin ${id} is a generic Extism plugin: it has no command "${name}"; call one of its exports`,
          {
            pluginId: id,
          },
        ),
      ),
    // A generic plugin has no event export: there is nothing to deliver, which is no failure.
    event: async () => null,
    callExport: (exportName, input, options) => plugin.call(exportName, input, options),
    hasExport: (name) => plugin.hasExport(name),
    memoryBytes: () => plugin.lane.memoryBytes?.(),
    shutdown: () => plugin.close(),
  };
}

/** An opener for `registry.load(id, …)`: opens the generic plugin anew on every load and reload. */
export function openGenericPluginHandle(
  options: OpenPluginOptions & { id: string; version?: string },
): () => Promise<PluginHandle> {
  const { id, version, ...open } = options;
  return async () =>
    genericPluginHandle(
      await openPlugin({
        pluginId: id,
        ...(version === undefined ? {} : { pluginVersion: version }),
        ...open,
      }),
      {
        id,
        ...(version === undefined ? {} : { version }),
      },
    );
}
