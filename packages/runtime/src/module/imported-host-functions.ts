import { HOST_FUNCTION_NAMESPACE } from '@plinth/protocol';

/** The catalogue host functions a compiled module imports (from `extism:host/user`), by name. */
export function importedHostFunctions(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.imports(module)
    .filter((entry) => entry.module === HOST_FUNCTION_NAMESPACE && entry.kind === 'function')
    .map((entry) => entry.name);
}
