import { readFile, stat } from 'node:fs/promises';
import { PlinthError } from '@plinth/protocol';
import { LoadError, readModuleSource } from '@plinth/runtime';
import { errorMessage, PluginDirectoryError } from './directory-error.js';

/** Where a plugin to install comes from. */
export type InstallSource =
  { path: string } | { url: string | URL; fetch?: typeof fetch } | { bytes: Uint8Array; origin?: string };

export interface SourceBytes {
  bytes: Uint8Array;
  /** A path or URL, for messages. */
  origin: string;
}

const tooLarge = (origin: string, size: number, maxBytes: number, exact: boolean): PlinthError =>
  new PlinthError(
    'module_too_large',
    `cannot install from ${origin}: ${
      exact
        ? `the module is ${size} bytes, over the limit of ${maxBytes} bytes`
        : `the download passed the limit of ${maxBytes} bytes`
    }`,
    { limit: 'moduleMaxBytes' },
  );

/** Reads the module bytes, refusing anything over `maxBytes` before reading (or while downloading) it. */
export async function readInstallSource(source: InstallSource, maxBytes: number): Promise<SourceBytes> {
  if ('bytes' in source) return { bytes: source.bytes, origin: source.origin ?? 'the given bytes' };
  if ('path' in source) {
    const unreadable = (error: unknown) =>
      new PluginDirectoryError(
        'source_unreadable',
        `cannot install from ${source.path}: ${errorMessage(error)}`,
        {
          path: source.path,
          cause: error,
        },
      );
    try {
      const { size } = await stat(source.path);
      if (size > maxBytes) throw tooLarge(source.path, size, maxBytes, true);
      return { bytes: await readFile(source.path), origin: source.path };
    } catch (error) {
      throw PlinthError.isInstance(error) ? error : unreadable(error);
    }
  }
  const url = String(source.url);
  try {
    const read = await readModuleSource(source.fetch ? { url, fetch: source.fetch } : { url }, {
      maxBytes,
      context: {},
      subject: 'the plugin to install',
    });
    if (read.kind !== 'bytes') throw new TypeError('a URL source always reads to bytes');
    return { bytes: read.bytes, origin: url };
  } catch (error) {
    // The runtime's download refuses oversize bodies (module_too_large, kept as it is); anything else is
    // a source that could not be read.
    if (LoadError.isInstance(error) && error.code === 'load_failed') {
      throw new PluginDirectoryError('source_unreadable', error.message, { path: url, cause: error });
    }
    throw error;
  }
}
