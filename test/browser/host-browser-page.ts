/// <reference lib="dom" />
/// <reference lib="dom.asynciterable" />
// The page the host-browser tests drive in Chromium (bundled by esbuild, served on loopback). It opens the
// browser backends for real — IndexedDB stores, origin-private directories, fetch — and runs operations
// the test names through `window.plinthBridge.invoke`; `window.plinthServe` serves one call through the
// composed host's bundle exactly as a lane would.
import {
  createBrowserHost,
  createFetchTransport,
  openDirectoryFiles,
  openIndexedDbStores,
  type BrowserHost,
  type DirectoryFiles,
  type IndexedDbStores,
} from '@plinth/host-browser';
import { serveBundleCall, type HostCallContext, type HttpTransportRequest } from '@plinth/host-kit';
import { createPolicyChecker } from '@plinth/permissions';
import type { HostFunctionName, Policy } from '@plinth/protocol';
import { crossedError, decodeCrossing, encodeCrossing } from './host-browser-codec.js';
import { pageWasiOperations, pageWasiRunner } from './host-browser-page-wasi.js';
import { pageWsOperations, recordingDeliver } from './host-browser-page-ws.js';

/** What `plinthServe` answers: the wire answer, and whether the bundle answered at once. */
export interface PageServed {
  answer: string | Uint8Array;
  outcome: string;
  synchronous: boolean;
}

declare global {
  interface Window {
    plinthBridge: { invoke(method: string, args: string): Promise<string> };
    /** Sends the test a notice (the bridge's onNotice), crossed as encodeCrossing text. */
    plinthNotify(notice: string): Promise<void>;
    plinthServe(
      host: string,
      name: HostFunctionName,
      input: string,
      context: HostCallContext,
    ): Promise<PageServed>;
  }
}

const stores = new Map<string, IndexedDbStores>();
const workspaces = new Map<string, DirectoryFiles>();
const hosts = new Map<string, BrowserHost>();
/** What each store's onPersistenceFailure heard, by store or workspace name. */
const heard = new Map<string, string[]>();
const transport = createFetchTransport();

const hear = (name: string) => (error: Error) => heard.set(name, [...(heard.get(name) ?? []), error.message]);

function named<T>(map: Map<string, T>, name: string): T {
  const value = map.get(name);
  if (value === undefined) throw new Error(`nothing is open under ${JSON.stringify(name)}`);
  return value;
}

/** Calls a service method and refuses a promise: these services must answer at once. */
function callAtOnce(service: object, method: string, args: unknown[]): unknown {
  const run = (service as Record<string, unknown>)[method];
  if (typeof run !== 'function') throw new Error(`the service has no method ${method}`);
  const answer: unknown = run.apply(service, args);
  if (answer instanceof Promise) throw new Error(`${method} answered a promise; it must answer at once`);
  return answer;
}

const opfs = () => navigator.storage.getDirectory();

/** Writes a contract workspace (`path → text or bytes`, `dir/` an empty folder) straight to the directory. */
async function writeTree(root: FileSystemDirectoryHandle, files: Record<string, string | Uint8Array>) {
  for (const [path, content] of Object.entries(files)) {
    const segments = path.split('/');
    const name = segments.pop() ?? '';
    let folder = root;
    for (const segment of segments) folder = await folder.getDirectoryHandle(segment, { create: true });
    if (name === '') continue;
    const writable = await (await folder.getFileHandle(name, { create: true })).createWritable();
    await writable.write(typeof content === 'string' ? content : new Uint8Array(content));
    await writable.close();
  }
}

/** Every file under the directory, read straight from it (not through a mirror). */
async function readTree(folder: FileSystemDirectoryHandle, prefix = ''): Promise<Record<string, Uint8Array>> {
  const tree: Record<string, Uint8Array> = {};
  for await (const [name, handle] of folder.entries()) {
    if (handle.kind === 'directory') {
      Object.assign(tree, await readTree(handle as FileSystemDirectoryHandle, `${prefix}${name}/`));
    } else {
      tree[`${prefix}${name}`] = new Uint8Array(
        await (await (handle as FileSystemFileHandle).getFile()).arrayBuffer(),
      );
    }
  }
  return tree;
}

function idbRequest(request: IDBOpenDBRequest): Promise<IDBDatabase | undefined> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result ?? undefined);
    request.onerror = () => reject(request.error ?? new Error('the IndexedDB request failed'));
  });
}

const operations: Record<string, (...args: never[]) => unknown> = {
  async openStores(name: string) {
    stores.set(name, await openIndexedDbStores({ name, onPersistenceFailure: hear(name) }));
  },
  storeCall: (name: string, store: 'storage' | 'secrets' | 'namespaces', method: string, args: unknown[]) =>
    callAtOnce(named(stores, name)[store], method, args),
  storeFailure: (name: string) => named(stores, name).failure?.message,
  settleStores: (name: string) => named(stores, name).settled(),
  async closeStores(name: string) {
    const opened = named(stores, name);
    stores.delete(name);
    await opened.close();
  },
  async deleteDatabase(name: string) {
    await idbRequest(indexedDB.deleteDatabase(name) as IDBOpenDBRequest);
  },
  /** A database of another app under this name: version 1, with an object store of its own. */
  async createForeignDatabase(name: string) {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('notes');
    (await idbRequest(request))?.close();
  },
  /** Opens the database at a newer version, as a newer page would: open connections must let go. */
  async upgradeDatabase(name: string) {
    (await idbRequest(indexedDB.open(name, 2)))?.close();
  },
  async openWorkspace(name: string, files?: Record<string, string | Uint8Array>, maxBytes?: number) {
    const directory = await (await opfs()).getDirectoryHandle(name, { create: true });
    if (files !== undefined) await writeTree(directory, files);
    const limit = maxBytes === undefined ? {} : { maxBytes };
    workspaces.set(name, await openDirectoryFiles({ directory, onPersistenceFailure: hear(name), ...limit }));
  },
  filesCall: (name: string, method: string, args: unknown[]) =>
    callAtOnce(named(workspaces, name), method, args),
  settleWorkspace: (name: string) => named(workspaces, name).settled(),
  async closeWorkspace(name: string) {
    const opened = named(workspaces, name);
    workspaces.delete(name);
    await opened.close();
  },
  async removeWorkspace(name: string) {
    await (await opfs()).removeEntry(name, { recursive: true });
  },
  readWorkspace: async (name: string) => readTree(await (await opfs()).getDirectoryHandle(name)),
  heard: (name: string) => heard.get(name) ?? [],
  httpSend: (request: HttpTransportRequest) => transport.send(request),
  createHost(
    name: string,
    options: { stores: string; workspace?: string; policy: Policy; ws?: boolean; wasi?: boolean },
  ) {
    hosts.set(
      name,
      createBrowserHost({
        permissions: createPolicyChecker({ policy: options.policy }),
        stores: named(stores, options.stores),
        ...(options.workspace === undefined ? {} : { files: named(workspaces, options.workspace) }),
        workspaceRoot: '/workspace',
        log: () => undefined,
        // The WebSocket functions, with frames recorded for wsDeliveries.
        ...(options.ws === true ? { deliver: recordingDeliver(name) } : {}),
        // host_run_wasi_module, each run in a Web Worker.
        ...(options.wasi === true ? { wasi: pageWasiRunner() } : {}),
      }),
    );
  },
  closeHost: (name: string) => named(hosts, name).close(),
  coverage: (name: string) => named(hosts, name).coverage(),
  /** Imports a module (the README's example) and answers what it printed with console.log. */
  async runModule(url: string) {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...parts: unknown[]) => void lines.push(parts.map(String).join(' '));
    try {
      await import(url);
    } finally {
      console.log = log;
    }
    return lines;
  },
  serve: (host: string, fn: HostFunctionName, input: string, context: HostCallContext) =>
    window.plinthServe(host, fn, input, context),
  ...pageWsOperations((notice) => void window.plinthNotify(encodeCrossing(notice))),
  ...pageWasiOperations(),
};

window.plinthServe = async (host, name, input, context) => {
  const served = serveBundleCall(named(hosts, host).bundle, name, input, context);
  const synchronous = !(served instanceof Promise);
  const { answer, outcome } = await served;
  return { answer, outcome, synchronous };
};

window.plinthBridge = {
  async invoke(method, args) {
    try {
      const operation = operations[method] as ((...values: unknown[]) => unknown) | undefined;
      if (operation === undefined) throw new Error(`the page has no operation ${method}`);
      return encodeCrossing({ value: await operation(...(decodeCrossing(args) as unknown[])) });
    } catch (error) {
      return encodeCrossing({ error: crossedError(error) });
    }
  },
};
