import type { PlinthErrorContext } from '@plinth/protocol';
import { LoadError } from './load-error.js';
import { readCappedBody, type CappedBody } from '@plinth/host-kit';

/**
 * Where a module comes from. A file path is not a source here: the main entry runs in browsers and
 * workers, so a host that reads files (the Node subpath) reads them itself and passes `{ bytes, origin }`.
 */
export type ModuleSource =
  | {
      bytes: Uint8Array;
      /** Where the bytes came from (a file path, a registry name), used only in messages. */
      origin?: string;
    }
  | {
      /**
       * An already compiled module. Its bytes are gone, so its size, memory maximum and sha256 cannot be
       * checked: accepted only with `trusted: true`.
       */
      module: WebAssembly.Module;
      origin?: string;
    }
  | {
      url: string | URL;
      /** Replaces the global `fetch` (for custom transports, auth or tests). */
      fetch?: typeof fetch;
    };

/** What `readModuleSource` produced: bytes still to check, or a module already compiled. */
export type ReadSource =
  | { kind: 'bytes'; bytes: Uint8Array; origin: string | undefined }
  | { kind: 'module'; module: WebAssembly.Module; origin: string | undefined };

/** Options of `readModuleSource`: the download cap and how errors name the plugin. */
export interface ReadSourceOptions {
  /** Stop downloading past this many bytes (module_too_large). */
  maxBytes: number;
  /** Names the plugin in errors, when known. */
  context: PlinthErrorContext;
  /** `plugin acme.x` or `module`: how messages start. */
  subject: string;
}

/** Turns a source into bytes (or the module it already is). Only URL sources do I/O. */
export async function readModuleSource(
  source: ModuleSource,
  options: ReadSourceOptions,
): Promise<ReadSource> {
  if ('bytes' in source) {
    return { kind: 'bytes', bytes: source.bytes, origin: source.origin };
  }
  if ('module' in source) {
    return { kind: 'module', module: source.module, origin: source.origin };
  }
  const url = String(source.url);
  return {
    kind: 'bytes',
    bytes: await download(url, source.fetch ?? globalThis.fetch, options),
    origin: url,
  };
}

async function download(url: string, fetcher: typeof fetch, options: ReadSourceOptions): Promise<Uint8Array> {
  const { context, subject, maxBytes } = options;
  const fail = (why: string, cause?: unknown): LoadError =>
    new LoadError('load_failed', `Cannot load ${subject} from ${url}: ${why}`, { ...context, cause });
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (error) {
    throw fail(`the request failed (${error instanceof Error ? error.message : String(error)})`, error);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw fail(
      `the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    );
  }
  const tooLarge = (size: number, exact: boolean): LoadError =>
    new LoadError(
      'module_too_large',
      `Cannot load ${subject} from ${url}: ${
        exact
          ? `the module is ${size} bytes, over the limit of ${maxBytes} bytes`
          : `the download passed the limit of ${maxBytes} bytes (stopped after ${size} bytes)`
      }`,
      {
        ...context,
        limit: 'moduleMaxBytes',
        problems: [
          {
            code: 'module_too_large',
            message: `The module is over the limit of ${maxBytes} bytes`,
            size,
            limit: maxBytes,
          },
        ],
      },
    );
  // Refused early on an honest Content-Length, counted while streaming for a dishonest or absent one.
  let body: CappedBody;
  try {
    body = await readCappedBody(response, maxBytes);
  } catch (error) {
    throw fail(`reading the body failed (${error instanceof Error ? error.message : String(error)})`, error);
  }
  if (!body.ok) throw tooLarge(body.size, body.exact);
  return body.bytes;
}
