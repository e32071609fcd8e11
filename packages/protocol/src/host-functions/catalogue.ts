import type { z } from 'zod';
import type { HostCapability, HostFunctionSpec } from './define.js';
import * as files from './files.js';
import * as http from './http.js';
import * as namespaces from './namespaces.js';
import * as runtime from './runtime.js';
import * as storage from './storage.js';

/**
 * The one host-function catalogue. Every function a guest may import from `extism:host/user`, in the
 * order of PROTOCOL.md section 4. Host bundles, "not available" stubs, the guest SDK wrappers, the docs
 * table and the JSON Schema files all come from this list or are checked against it.
 */
export const HOST_FUNCTIONS = [
  runtime.hostLog,
  files.hostReadFile,
  files.hostListFiles,
  files.hostFileExists,
  files.hostWriteFile,
  files.hostWriteBinary,
  files.hostDeleteFile,
  files.hostRequestFile,
  http.hostHttpRequest,
  storage.hostStorageGet,
  storage.hostStorageSet,
  runtime.hostRunWasiModule,
  runtime.hostPluginCommand,
  runtime.hostGetRuntimeContext,
  namespaces.hostNamespaceCreate,
  namespaces.hostNamespaceList,
  namespaces.hostNamespacePutObject,
  namespaces.hostNamespaceGetObject,
  namespaces.hostNamespaceDeleteObject,
  namespaces.hostNamespaceListObjects,
  runtime.hostEmitEvent,
  http.hostWsRequest,
  runtime.hostGetTimestamp,
  runtime.hostGetNow,
  files.hostReadBinary,
  files.hostListDir,
  files.hostFileMetadata,
  files.hostHashFile,
  storage.hostSecretGet,
  storage.hostSecretSet,
  storage.hostSecretDelete,
  runtime.hostIsCancelled,
  namespaces.hostNamespaceGetObjectsBatch,
  namespaces.hostNamespaceGetObjectsBatchesConcurrent,
  namespaces.hostNamespaceSyncAudience,
  namespaces.hostNamespaceListAudiences,
  namespaces.hostNamespaceDeleteAudience,
  namespaces.hostNamespaceBuild,
  namespaces.hostNamespaceSendEmail,
  files.hostWorkspaceFileSet,
  http.hostProxyRequest,
] as const;

type Catalogue = (typeof HOST_FUNCTIONS)[number];

/** The name of a catalogue function, e.g. `host_read_file`. */
export type HostFunctionName = Catalogue['name'];

/** The catalogue entry of one function, with its precise request type. */
export type HostFunctionOf<N extends HostFunctionName> = Extract<Catalogue, { name: N }>;

/** The decoded request of a function (after defaults). `{}` for functions whose input is ignored. */
export type HostFunctionRequest<N extends HostFunctionName> =
  HostFunctionOf<N> extends HostFunctionSpec<N, infer R extends z.ZodType> ? z.output<R> : never;

/** The Extism namespace every catalogue function lives in. */
export const HOST_FUNCTION_NAMESPACE = 'extism:host/user';

/** Every catalogue function name, in catalogue order. */
export const HOST_FUNCTION_NAMES = HOST_FUNCTIONS.map((spec) => spec.name) as readonly HostFunctionName[];

const byName = new Map<string, Catalogue>(HOST_FUNCTIONS.map((spec) => [spec.name, spec]));

/** Whether `name` is a function the protocol defines. */
export function isHostFunctionName(name: string): name is HostFunctionName {
  return byName.has(name);
}

/** The catalogue entry for a name, or `undefined` for a name the protocol does not define. */
export function getHostFunction<N extends HostFunctionName>(name: N): HostFunctionOf<N>;
export function getHostFunction(name: string): Catalogue | undefined;
export function getHostFunction(name: string): Catalogue | undefined {
  return byName.get(name);
}

/** The functions of one capability, by name. */
export type CapabilityFunctionName<C extends HostCapability> = Extract<Catalogue, { capability: C }>['name'];

/** Every catalogue function name of one capability, in catalogue order. */
export function capabilityFunctionNames<C extends HostCapability>(
  capability: C,
): readonly CapabilityFunctionName<C>[] {
  return HOST_FUNCTIONS.filter((spec) => spec.capability === capability).map(
    (spec) => spec.name as CapabilityFunctionName<C>,
  );
}
