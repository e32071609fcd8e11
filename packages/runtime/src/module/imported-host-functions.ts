import { HOST_FUNCTION_NAMESPACE } from '@plinth/protocol';

/** The catalogue host functions a compiled module imports (from `extism:host/user`), by name. */
export function importedHostFunctions(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.imports(module)
    .filter((entry) => entry.module === HOST_FUNCTION_NAMESPACE && entry.kind === 'function')
    .map((entry) => entry.name);
}

/** Whether a compiled module imports Extism's own `http_request` (a generic plugin's HTTP). */
export function importsExtismHttp(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some(
    (entry) =>
      entry.module === 'extism:host/env' && entry.name === 'http_request' && entry.kind === 'function',
  );
}
