import { PlinthError } from '@plinth/protocol';
import { decodeBase64 } from '@plinth/host-kit/engine';
import type { LinkedModule } from '../lanes/lane.js';
import { loadCheckedModule, type LoadModuleOptions, type LoadedModule } from '../loader/load-module.js';
import { readModuleSource } from '../loader/module-source.js';
import { inspectModule } from '../module/inspect-module.js';
import type { WasmExternalKind } from '../module/module-problem.js';
import { mainModuleIndex, type ExtismManifest, type ExtismWasm } from './extism-manifest.js';

export interface ManifestModulesOptions extends LoadModuleOptions {
  /** Reads a `path` entry (the main entry runs in browsers too, so file access is the caller's). */
  readPath?: ((path: string) => Promise<Uint8Array>) | undefined;
}

/** The plugin's own module, checked and compiled, and the modules linked into it by name. */
export interface ManifestModules {
  loaded: LoadedModule;
  linked: LinkedModule[];
}

async function bytesOf(
  entry: ExtismWasm,
  index: number,
  options: ManifestModulesOptions,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; origin: string }> {
  if ('data' in entry) {
    const bytes = typeof entry.data === 'string' ? decodeBase64(entry.data) : entry.data;
    return { bytes, origin: `manifest wasm[${index}]` };
  }
  if ('path' in entry) {
    if (options.readPath === undefined) {
      throw new PlinthError(
        'load_failed',
        `manifest wasm[${index}] is a path (${entry.path}); pass readPath (e.g. readFile from node:fs/promises) to read it`,
      );
    }
    return { bytes: await options.readPath(entry.path), origin: entry.path };
  }
  const read = await readModuleSource(
    { url: entry.url },
    { maxBytes, context: {}, subject: `manifest wasm[${index}]` },
  );
  if (read.kind !== 'bytes') throw new Error('unreachable: a URL source reads bytes');
  return { bytes: read.bytes, origin: String(entry.url) };
}

/**
 * Reads every entry of an Extism manifest (data, path or URL through the bounded reader), then checks and
 * compiles each: its hash, size and memory as any module, and its imports against the host's functions
 * and the exports of the entries it links to by name. The entry named `main` (else the last) is the plugin.
 */
export async function loadManifestModules(
  manifest: ExtismManifest,
  options: ManifestModulesOptions,
  maxBytes: number,
): Promise<ManifestModules> {
  const mainIndex = mainModuleIndex(manifest.wasm);
  const read = await Promise.all(
    manifest.wasm.map((entry, index) => bytesOf(entry, index, options, maxBytes)),
  );
  const names = manifest.wasm.map((entry, index) =>
    index === mainIndex ? 'main' : (entry.name ?? `wasm${index}`),
  );
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new PlinthError('invalid_options', `manifest: two wasm entries are named "${duplicate}"`);
  }
  // What each entry exports, so imports between entries are checked before anything is instantiated.
  const exportsOf: Record<string, { name: string; kind: WasmExternalKind }[]> = {};
  read.forEach(({ bytes }, index) => {
    const inspected = inspectModule(bytes);
    exportsOf[names[index] as string] = inspected.ok
      ? inspected.inspection.exports.map(({ name, kind }) => ({ name, kind }))
      : [];
  });
  const modules = await Promise.all(
    read.map(({ bytes, origin }, index) => {
      const entry = manifest.wasm[index] as ExtismWasm;
      const name = names[index] as string;
      const linkedExports = Object.fromEntries(Object.entries(exportsOf).filter(([other]) => other !== name));
      const { readPath: _readPath, ...loadOptions } = options;
      return loadCheckedModule(
        { bytes, origin },
        {
          ...loadOptions,
          ...(entry.hash === undefined ? {} : { sha256: entry.hash }),
          linkedExports,
        },
      );
    }),
  );
  const loaded = modules[mainIndex] as LoadedModule;
  const linked = modules
    .map((module, index) => ({ name: names[index] as string, module: module.module }))
    .filter((_, index) => index !== mainIndex);
  return { loaded, linked };
}
