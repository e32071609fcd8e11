import type { PlinthErrorCode } from '@plinth/protocol';

/**
 * The codes the module checks report. They are PlinthError codes, so a loader can turn any problem into
 * `new PlinthError(problem.code, problem.message, { pluginId })` without a mapping table.
 */
export const MODULE_PROBLEM_CODES = [
  'invalid_module',
  'import_not_allowed',
  'memory_refused',
  'module_too_large',
] as const satisfies readonly PlinthErrorCode[];

/** One of `MODULE_PROBLEM_CODES`: the PlinthError code a module check reports. */
export type ModuleProblemCode = (typeof MODULE_PROBLEM_CODES)[number];

/** What is wrong with bytes that are not a well-formed WebAssembly module. */
export type WasmMalformation =
  | 'bad_magic'
  | 'unsupported_version'
  | 'unexpected_end'
  | 'integer_overflow'
  | 'unknown_section'
  | 'duplicate_section'
  | 'section_out_of_order'
  | 'section_size_mismatch'
  | 'invalid_utf8'
  | 'unknown_import_kind'
  | 'unknown_export_kind'
  | 'invalid_limits'
  | 'invalid_type'
  | 'invalid_mutability'
  | 'invalid_tag_attribute';

/** Bytes that are not a well-formed WebAssembly module: what is wrong, and the byte offset where. */
export interface InvalidModuleProblem {
  code: 'invalid_module';
  reason: WasmMalformation;
  message: string;
  /** Byte offset in the module of the first byte that is wrong (or where more bytes were needed). */
  offset: number;
}

/**
 * Why an import is not allowed. `forbidden_namespace` covers both a namespace no host provides (`env`)
 * and WASI without a grant; `unknown_host_function` is a name in `extism:host/user` the host does not
 * provide; `not_a_function` is an imported memory, table, global or tag.
 */
export type ImportRefusal =
  'unknown_host_function' | 'forbidden_namespace' | 'not_a_function' | 'unknown_linked_export';

/** The kind of an import or export, as the binary format names them. */
export type WasmExternalKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

/** An import the host will not provide, named by `module` and `name`, with why it was refused. */
export interface ImportProblem {
  code: 'import_not_allowed';
  reason: ImportRefusal;
  module: string;
  name: string;
  kind: WasmExternalKind;
  message: string;
}

/** Why a module's linear memory cannot run under the host's cap. */
export type MemoryRefusal =
  'unbounded' | 'too_large' | 'minimum_above_cap' | 'memory64' | 'shared' | 'imported' | 'multiple_memories';

/** A linear memory the host will not run under its memory cap, with why and the two sizes in pages. */
export interface MemoryRefusedProblem {
  code: 'memory_refused';
  reason: MemoryRefusal;
  message: string;
  /** The maximum the module declares, in 64 KiB pages; `undefined` when it declares none. */
  declaredMax: number | undefined;
  /** The host's cap, in 64 KiB pages. */
  limit: number;
}

/** A module over the host's size limit (`moduleMaxBytes`). */
export interface ModuleTooLargeProblem {
  code: 'module_too_large';
  message: string;
  /** Both in bytes. */
  size: number;
  limit: number;
}

/** A module the fuel metering cannot rewrite: it is refused where fuel is required, never run unmetered. */
export interface MeteringProblem {
  code: 'invalid_module';
  reason: 'metering_unsupported';
  message: string;
  offset: number;
}

/** Anything the checks before instantiation can find wrong with a module; `code` tells the cases apart. */
export type ModuleProblem =
  InvalidModuleProblem | ImportProblem | MemoryRefusedProblem | ModuleTooLargeProblem | MeteringProblem;
