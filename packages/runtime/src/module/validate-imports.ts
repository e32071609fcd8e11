import { HOST_FUNCTION_NAMES, HOST_FUNCTION_NAMESPACE, isHostFunctionName } from '@plinth/protocol';
import type { ImportProblem, ImportRefusal, WasmExternalKind } from './module-problem.js';
import type { WasmImport } from './wasm-reader.js';

/** The Extism kernel (alloc, input_load_u8, output_set, …): Extism itself provides every name in it. */
export const EXTISM_KERNEL_NAMESPACE = 'extism:host/env';

/** The namespace of WASI preview 1 imports, allowed only with `allowWasi`. */
export const WASI_NAMESPACE = 'wasi_snapshot_preview1';

/** What the host will provide for a module's imports; `validateImports` refuses everything else. */
export interface ImportPolicy {
  /** The names this host provides in `extism:host/user`. Default: the whole catalogue. */
  hostFunctions?: readonly string[];
  /** Whether this plugin may import WASI. Default: false. */
  allowWasi?: boolean;
  /** Host functions the app provides itself, in any namespace. */
  userFunctions?: readonly { namespace: string; name: string }[];
  /** Modules linked in by name (Extism manifests), with what each exports. */
  linkedExports?: Readonly<Record<string, readonly { name: string; kind: WasmExternalKind }[]>>;
}

/**
 * The answer of `validateImports`: no problems, or every refused import (never an empty list on failure).
 */
export type ImportValidation =
  { ok: true; problems: readonly [] } | { ok: false; problems: readonly [ImportProblem, ...ImportProblem[]] };

const KIND_NAMES = { func: 'function', table: 'table', memory: 'memory', global: 'global', tag: 'tag' };

/**
 * Checks every import against what the host will provide, before instantiation: an engine that cannot
 * resolve an import fails late and, in @extism/extism's worker mode, takes the process down with it.
 * Returns every problem, not just the first, so a plugin author can fix them in one go.
 */
export function validateImports(
  inspection: { readonly imports: readonly WasmImport[] },
  policy: ImportPolicy = {},
): ImportValidation {
  const provided = new Set(policy.hostFunctions ?? HOST_FUNCTION_NAMES);
  const allowWasi = policy.allowWasi ?? false;
  const user = new Set((policy.userFunctions ?? []).map(({ namespace, name }) => `${namespace}\0${name}`));
  const linked = policy.linkedExports ?? {};
  const problems: ImportProblem[] = [];
  for (const { module, name, kind } of inspection.imports) {
    const exported = Object.hasOwn(linked, module) ? linked[module] : undefined;
    const refusal =
      exported !== undefined
        ? refuseLinked(module, name, kind, exported)
        : kind === 'func' && user.has(`${module}\0${name}`)
          ? undefined
          : refuse(module, name, kind, provided, allowWasi, user.size > 0);
    if (refusal === undefined) continue;
    const [reason, why] = refusal;
    problems.push({
      code: 'import_not_allowed',
      reason,
      module,
      name,
      kind,
      message: `The module imports ${KIND_NAMES[kind]} "${name}" from "${module}": ${why}`,
    });
  }
  const [first, ...rest] = problems;
  return first === undefined ? { ok: true, problems: [] } : { ok: false, problems: [first, ...rest] };
}

function refuseLinked(
  module: string,
  name: string,
  kind: WasmExternalKind,
  exported: readonly { name: string; kind: WasmExternalKind }[],
): [ImportRefusal, string] | undefined {
  if (exported.some((entry) => entry.name === name && entry.kind === kind)) return undefined;
  return ['unknown_linked_export', `the linked module "${module}" exports no ${KIND_NAMES[kind]} "${name}"`];
}

function refuse(
  module: string,
  name: string,
  kind: WasmExternalKind,
  provided: ReadonlySet<string>,
  allowWasi: boolean,
  hasUserFunctions: boolean,
): [ImportRefusal, string] | undefined {
  // Sharing a memory, table or global with the host would let a guest reach host state directly.
  if (kind !== 'func')
    return ['not_a_function', `plugins may import only functions, not a ${KIND_NAMES[kind]}`];
  if (module === EXTISM_KERNEL_NAMESPACE) return undefined;
  if (module === HOST_FUNCTION_NAMESPACE) {
    if (provided.has(name)) return undefined;
    return [
      'unknown_host_function',
      isHostFunctionName(name)
        ? 'this host does not provide that host function'
        : hasUserFunctions
          ? 'neither the Plinth catalogue nor the host functions given to this plugin have it'
          : 'no such host function exists in the Plinth catalogue',
    ];
  }
  if (module === WASI_NAMESPACE) {
    return allowWasi ? undefined : ['forbidden_namespace', 'WASI is not enabled for this plugin'];
  }
  const given = hasUserFunctions ? ', the namespaces of the host functions given to this plugin' : '';
  return [
    'forbidden_namespace',
    `no host provides the namespace "${module}" (only ${EXTISM_KERNEL_NAMESPACE}, ${HOST_FUNCTION_NAMESPACE}${given} and, when enabled, ${WASI_NAMESPACE})`,
  ];
}
