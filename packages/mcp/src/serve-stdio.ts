import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { checkOptions, defineOptions, objectOption } from '@plinth/protocol';
import { z } from 'zod';
import type { PluginToolServer } from './plugin-tool-server.js';

/** What `serveStdio` may be told: when to stop, and the streams to use instead of the process's. */
export interface ServeStdioOptions {
  /** Stops serving when aborted (e.g. on SIGINT). */
  signal?: AbortSignal;
  /** Where requests arrive, newline-delimited JSON-RPC. Default `process.stdin`. */
  stdin?: Readable;
  /** Where answers and notifications go. Default `process.stdout`: nothing else may write there. */
  stdout?: Writable;
}

const optionsSchema = defineOptions<ServeStdioOptions>()(
  z.strictObject({
    signal: z.instanceof(AbortSignal).describe('an AbortSignal').optional(),
    stdin: objectOption<Readable>('a readable stream', ['on', 'once', 'off']).optional(),
    stdout: objectOption<Writable>('a writable stream', ['write', 'once']).optional(),
  }),
);

/** Serves one MCP session over stdin/stdout; resolves once the signal aborts or stdin ends. */
export async function serveStdio(tools: PluginToolServer, options: ServeStdioOptions = {}): Promise<void> {
  checkOptions('serveStdio', optionsSchema, options);
  const stdin = options.stdin ?? process.stdin;
  const { signal } = options;
  const server = tools.createServer({ transport: 'stdio' });
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  stdin.once('end', stop);
  stdin.once('close', stop);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    await server.connect(new StdioServerTransport(stdin, options.stdout ?? process.stdout));
    if (!signal?.aborted) await stopped;
  } finally {
    stdin.off('end', stop);
    stdin.off('close', stop);
    signal?.removeEventListener('abort', stop);
    await server.close();
  }
}
