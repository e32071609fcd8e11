import { readFile, stat } from 'node:fs/promises';
import { PlinthError } from '@plinth/protocol';
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
  return { bytes: await download(url, source.fetch ?? globalThis.fetch, maxBytes), origin: url };
}

async function download(url: string, fetcher: typeof fetch, maxBytes: number): Promise<Uint8Array> {
  const fail = (why: string, cause?: unknown) =>
    new PluginDirectoryError('source_unreadable', `cannot install from ${url}: ${why}`, { path: url, cause });
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (error) {
    throw fail(`the request failed (${errorMessage(error)})`, error);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw fail(`the server answered ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(url, declared, maxBytes, true);
  }
  if (response.body === null) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(url, total, maxBytes, false);
      }
      chunks.push(value);
    }
  } catch (error) {
    throw PlinthError.isInstance(error)
      ? error
      : fail(`reading the body failed (${errorMessage(error)})`, error);
  }
  return Buffer.concat(chunks);
}
