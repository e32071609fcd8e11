// What the fuzz suite feeds: the guest corpus, the golden guests' manifests, a lane that answers whatever
// bytes a case chooses, and the capability bundles over in-memory services (never the real disk or network:
// a fuzzed request must not be able to reach either).
import { createAllowAllChecker } from '@plinth/permissions';
import { HOST_FUNCTION_NAMES, getHostFunction, type GuestManifest } from '@plinth/protocol';
import {
  combineBundles,
  createHttpBundle,
  createNamespacesBundle,
  createSecretsBundle,
  createStorageBundle,
  type HostBundle,
} from '@plinth/host-kit';
import { openProtocolPluginFrom, PluginRegistry, type Lane } from '@plinth/runtime';
import { guestBytes, listGuests } from '@plinth/testkit';
import {
  createMemoryBasics,
  createMemoryFsBundle,
  createMemoryKeyValueStore,
  createMemoryNamespaceStore,
  createMemorySecretStore,
  createRouteTableTransport,
} from '@plinth/testkit/twins';

/** Every module of the guest corpus: golden, plain and hostile. */
export const corpusModules = (): Uint8Array[] => listGuests().map(({ name }) => guestBytes(name));

/** The manifests the golden guests declare, read through the runtime. */
export async function goldenManifests(): Promise<GuestManifest[]> {
  const manifests: GuestManifest[] = [];
  for (const { name } of listGuests({ kind: 'golden' })) {
    const plugin = await openProtocolPluginFrom({
      source: { bytes: guestBytes(name) },
      hostAppVersion: '1.0.0',
      bundle: { host_log: () => '' },
    });
    manifests.push(plugin.manifest);
    await plugin.shutdown();
  }
  return manifests;
}

/** What a scripted export answers for an input: bytes, or null for "set no output". */
export type ScriptedExport = (input: Uint8Array) => Uint8Array | null;

/** A lane over no module: each export in `exports` answers what its function returns. */
export function scriptedLane(exports: Record<string, ScriptedExport>): Lane {
  const encoder = new TextEncoder();
  return {
    kind: 'in-thread',
    hasExport: (name) => Object.hasOwn(exports, name),
    async call(exportName, input) {
      const run = exports[exportName];
      if (run === undefined) throw new Error(`scripted lane has no export ${exportName}`);
      return { output: run(typeof input === 'string' ? encoder.encode(input) : input), hostCalls: 0 };
    },
    close: async () => undefined,
  };
}

/**
 * Every capability bundle over in-memory services, everything allowed (so requests get past the permission
 * check into the handlers), plus a registry's `host_plugin_command` with no plugin loaded.
 */
export function allowAllTwinBundle(): HostBundle {
  const permissions = createAllowAllChecker();
  const files = createMemoryFsBundle({
    permissions,
    initialFiles: { 'a.md': 'alpha', 'Daily/b.md': 'beta #tag', 'bin/x.bin': Uint8Array.of(0, 255, 128) },
  });
  return combineBundles(
    files.bundle,
    createStorageBundle({ store: createMemoryKeyValueStore(), permissions }),
    createSecretsBundle({ secrets: createMemorySecretStore(), permissions }),
    createNamespacesBundle({ store: createMemoryNamespaceStore(), permissions }),
    createHttpBundle({ transport: createRouteTableTransport(), permissions }),
    createMemoryBasics().bundle,
    new PluginRegistry({ permissions }).bundle(),
  );
}

/** The field names of each host function's request, where its schema is an object. */
export function requestFields(): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const name of HOST_FUNCTION_NAMES) {
    const schema = getHostFunction(name).request as { shape?: Record<string, unknown> } | null;
    fields.set(name, schema?.shape ? Object.keys(schema.shape) : []);
  }
  return fields;
}
