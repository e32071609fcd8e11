import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { WorkspaceFileError, type WorkspaceFileErrorReason } from '@plinth/host-kit';
import { PlinthError, type PlinthErrorCode } from '@plinth/protocol';
import { decodeCrossing, encodeCrossing, type Crossed, type CrossedError } from './host-browser-codec.js';

/**
 * The test's line to a page in Chromium. The host-kit bundles call their services synchronously (the
 * in-thread lane cannot wait), so a service proxied into the page must answer at once: `callSync` blocks
 * this thread (Atomics.wait) while a worker thread, which owns the browser, runs the page operation.
 */
export interface PageBridge {
  /** Runs a page operation and answers its value, blocking until it is done; throws what the page threw. */
  callSync(method: string, ...args: unknown[]): unknown;
  /** The same without blocking: for setup, and for anything that needs this thread (its loopback server). */
  call(method: string, ...args: unknown[]): Promise<unknown>;
  /** Reloads the page: everything in its memory is gone, only what it stored remains. */
  reload(): Promise<void>;
  /** Script and console errors the page reported so far. */
  problems(): Promise<string[]>;
  /**
   * Hears what the page sends of its own accord (`window.plinthNotify(encodeCrossing(value))`), in order,
   * never during a `callSync`; answers a function that stops listening.
   */
  onNotice(listener: (notice: unknown) => void): () => void;
  close(): Promise<void>;
}

type Reply = { ok: string } | { failed: string };
type Message =
  | { op: 'launch'; url: string }
  | { op: 'reload' }
  | { op: 'problems' }
  | { op: 'close' }
  | { op: 'invoke'; method: string; args: string };

/** A guard against a hung page, not a speed assertion. */
const SYNC_TIMEOUT_MS = 60_000;

/** Starts Chromium in a worker and opens `url` in it. */
export async function openPageBridge(options: { url: string; executablePath: string }): Promise<PageBridge> {
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  const sync = new MessageChannel();
  const channel = new MessageChannel();
  const worker = new Worker(new URL('./page-bridge-worker.mjs', import.meta.url), {
    workerData: {
      signal,
      syncPort: sync.port2,
      asyncPort: channel.port2,
      executablePath: options.executablePath,
    },
    transferList: [sync.port2, channel.port2],
  });
  const pending = new Map<number, (reply: Reply) => void>();
  let nextId = 0;
  const noticeListeners = new Set<(notice: unknown) => void>();
  channel.port1.on('message', (data: ({ id: number } & Reply) | { notice: string }) => {
    if ('notice' in data) {
      const notice = decodeCrossing(data.notice);
      for (const listener of noticeListeners) listener(notice);
      return;
    }
    const { id, ...reply } = data;
    pending.get(id)?.(reply);
  });
  const exited = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the page bridge worker exited (code ${code})`)));
  });
  exited.catch(() => undefined);

  const send = async (message: Message): Promise<string> => {
    const id = (nextId += 1);
    const reply = await Promise.race([
      new Promise<Reply>((resolve) => {
        pending.set(id, resolve);
        channel.port1.postMessage({ id, message });
      }),
      exited,
    ]);
    pending.delete(id);
    if ('failed' in reply) throw new Error(`page bridge: ${reply.failed}`);
    return reply.ok;
  };
  const sendSync = (message: Message): string => {
    Atomics.store(flag, 0, 0);
    sync.port1.postMessage(message);
    if (Atomics.wait(flag, 0, 0, SYNC_TIMEOUT_MS) === 'timed-out') {
      throw new Error(
        `page bridge: no answer to ${JSON.stringify(message).slice(0, 200)} within ${SYNC_TIMEOUT_MS} ms`,
      );
    }
    const received = receiveMessageOnPort(sync.port1) as { message: Reply } | undefined;
    if (received === undefined) throw new Error('page bridge: woken without an answer');
    if ('failed' in received.message) throw new Error(`page bridge: ${received.message.failed}`);
    return received.message.ok;
  };
  const invoke = (method: string, args: unknown[]): Message => ({
    op: 'invoke',
    method,
    args: encodeCrossing(args),
  });

  try {
    await send({ op: 'launch', url: options.url });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    callSync: (method, ...args) => answerOf(sendSync(invoke(method, args))),
    call: async (method, ...args) => answerOf(await send(invoke(method, args))),
    reload: async () => void (await send({ op: 'reload' })),
    problems: async () => JSON.parse(await send({ op: 'problems' })) as string[],
    onNotice(listener) {
      noticeListeners.add(listener);
      return () => noticeListeners.delete(listener);
    },
    close: async () => {
      try {
        await send({ op: 'close' });
      } finally {
        channel.port1.close();
        sync.port1.close();
        await worker.terminate();
      }
    },
  };
}

/** The page's value, or the error it threw raised again here as the same kind of error. */
function answerOf(text: string): unknown {
  const crossed = decodeCrossing(text) as Crossed;
  if ('error' in crossed) throw raised(crossed.error);
  return crossed.value;
}

function raised(error: CrossedError): Error {
  if (error.name === 'WorkspaceFileError' && error.reason !== undefined && error.path !== undefined) {
    const raisedError = new WorkspaceFileError({
      reason: error.reason as WorkspaceFileErrorReason,
      path: error.path,
      errno: error.errno,
    });
    // The page worded it (details included); the guest must see the same words.
    raisedError.message = error.message;
    return raisedError;
  }
  if (error.code !== undefined) return new PlinthError(error.code as PlinthErrorCode, error.message);
  return new Error(`${error.name} in the page: ${error.message}`);
}
