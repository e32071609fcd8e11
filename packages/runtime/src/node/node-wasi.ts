import { closeSync, lstatSync, openSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type * as NodeWasiModule from 'node:wasi';
import { PlinthError } from '@plinth/protocol';
import { loadExtism } from '../extism-module.js';
import {
  GuestExit,
  PLINTH_WASI_NAMESPACE,
  type WasiFactory,
  type WasiMount,
  type WasiSystem,
  type WasiSystemOptions,
} from '../lanes/wasi.js';

// WASI preview 1 errno values this file answers itself.
const ERRNO_SUCCESS = 0;
const ERRNO_FAULT = 21;
const ERRNO_PERM = 63;
const ERRNO_ROFS = 69;
const ERRNO_NOTCAPABLE = 76;

// path_open flags that create or change a file.
const OFLAG_CREAT = 1;
const OFLAG_TRUNC = 8;
const FDFLAG_APPEND = 1;

// The rights a file or folder opened under a read-only mount keeps: read, seek, tell, advise, open below,
// list, read links, stat, poll. Nothing that writes, resizes, creates, renames, removes or changes times.
const READ_ONLY_RIGHTS =
  (1n << 1n) |
  (1n << 2n) |
  (1n << 5n) |
  (1n << 7n) |
  (1n << 13n) |
  (1n << 14n) |
  (1n << 15n) |
  (1n << 18n) |
  (1n << 21n) |
  (1n << 27n);

/** A line longer than this is handed on in pieces (a guest that never writes a newline cannot grow it). */
const LINE_MAX_CHARS = 16 * 1024;

let wasiModule: Promise<typeof NodeWasiModule> | undefined;

/**
 * WASI on Node's `node:wasi`, for `openPlugin({ wasi: nodeWasi })` and the isolated lane's workers. Each
 * instance gets its own file table: the manifest's `allowed_paths` as preopened folders (a read-only one
 * keeps read rights only, and nothing under it can be created, changed, renamed or removed), stdin empty,
 * stdout and stderr line by line to the guest log, no arguments or environment. Symbolic and hard links
 * cannot be made. `proc_exit` throws `GuestExit` with its code. Node documents that `node:wasi` is not a
 * complete sandbox on its own: mount only folders the plugin may see whole, without links out of them.
 */
export const nodeWasi: WasiFactory = async (options) => {
  // @extism/extism loads node:wasi too; loading it first drops Node's one-time experimental warning.
  wasiModule ??= loadExtism().then(() => import('node:wasi'));
  const { WASI } = await wasiModule;
  return createNodeWasiSystem(WASI, options);
};

function checkMounts(mounts: readonly WasiMount[]): Record<string, string> {
  const preopens: Record<string, string> = {};
  for (const mount of mounts) {
    const where = `manifest.allowed_paths[${JSON.stringify(mount.hostPath)}]`;
    // An integer-like key would be reordered by JavaScript, and preopen numbers follow key order.
    if (/^(0|[1-9]\d*)$/.test(mount.guestPath) || mount.guestPath in preopens) {
      throw new PlinthError(
        'invalid_options',
        `${where}: the guest path ${JSON.stringify(mount.guestPath)} is ${mount.guestPath in preopens ? 'mapped twice' : 'not a path'}`,
      );
    }
    const hostPath = resolve(mount.hostPath);
    let isDirectory = false;
    try {
      isDirectory = statSync(hostPath).isDirectory();
    } catch {
      // reported below
    }
    if (!isDirectory) {
      throw new PlinthError('invalid_options', `${where}: ${hostPath} is not a folder on this host`);
    }
    preopens[mount.guestPath] = realpathSync(hostPath);
  }
  return preopens;
}

type WasiFunction = (...args: unknown[]) => number | undefined;

interface OpenEntry {
  /** The real host path of the folder or file. */
  path: string;
  /** The real host path of the mount it is under. */
  root: string;
  readOnly: boolean;
}

/**
 * `target` with every link on its way followed, when that stays inside `root`; undefined when it leaves,
 * or when it ends at a dangling link (creating through one would write wherever it points). A part that
 * does not exist yet is kept as written below the deepest part that does.
 */
function insideMount(target: string, root: string): string | undefined {
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    let real: string | undefined;
    try {
      real = realpathSync(existing);
    } catch {
      // Not there (fine: it may be created), or a link to nowhere (not fine).
      if (isLink(existing)) return undefined;
    }
    if (real !== undefined) {
      const whole = join(real, ...missing.reverse());
      return whole === root || whole.startsWith(root + sep) ? whole : undefined;
    }
    const parent = dirname(existing);
    if (parent === existing) return undefined;
    missing.push(basename(existing));
    existing = parent;
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function createNodeWasiSystem(WASI: typeof NodeWasiModule.WASI, options: WasiSystemOptions): WasiSystem {
  const preopens = checkMounts(options.mounts);
  const nullIn = openSync('/dev/null', 'r');
  const nullOut = openSync('/dev/null', 'w');
  const wasi = new WASI({
    version: 'preview1',
    preopens,
    returnOnExit: true,
    stdin: nullIn,
    stdout: nullOut,
    stderr: nullOut,
  });
  const base = wasi.wasiImport as Record<string, WasiFunction>;
  /**
   * Every open folder or file by fd: where it is on the host, the mount it is under, and whether that
   * mount is read-only. Preopened folders are numbered from 3 in the order given.
   */
  const opened = new Map<number, OpenEntry>();
  Object.values(preopens).forEach((root, index) =>
    opened.set(3 + index, { path: root, root, readOnly: options.mounts[index]?.readOnly ?? false }),
  );
  const isReadOnly = (fd: unknown) => opened.get(fd as number)?.readOnly === true;
  /** The host path a guest path names under `fd`, once it is known to stay in that fd's mount. */
  const confined = (fd: unknown, pointer: unknown, length: unknown): string | undefined => {
    const entry = opened.get(fd as number);
    const guestPath = readText(pointer as number, length as number);
    if (entry === undefined || guestPath === undefined) return undefined;
    return insideMount(resolve(entry.path, guestPath), entry.root);
  };
  /** fds 1 and 2 while they are still the guest's stdout and stderr. */
  const captured = new Map<number, { stream: 'stdout' | 'stderr'; pending: string }>([
    [1, { stream: 'stdout', pending: '' }],
    [2, { stream: 'stderr', pending: '' }],
  ]);
  const decoder = new TextDecoder();
  let memory: WebAssembly.Memory | undefined;

  const emit = (stream: 'stdout' | 'stderr', text: string) => {
    for (let at = 0; at < text.length; at += LINE_MAX_CHARS) {
      options.output(stream, text.slice(at, at + LINE_MAX_CHARS));
    }
  };
  const write = (target: { stream: 'stdout' | 'stderr'; pending: string }, text: string) => {
    const lines = (target.pending + text).split('\n');
    target.pending = lines.pop() ?? '';
    for (const line of lines) emit(target.stream, line);
    if (target.pending.length >= LINE_MAX_CHARS) {
      emit(target.stream, target.pending);
      target.pending = '';
    }
  };
  const writeCaptured = (fd: number, iovs: number, count: number, written: number): number => {
    const target = captured.get(fd);
    if (target === undefined || memory === undefined) return base.fd_write?.(fd, iovs, count, written) ?? 0;
    const buffer = memory.buffer;
    const view = new DataView(buffer);
    if (iovs < 0 || count < 0 || iovs + count * 8 > buffer.byteLength || written + 4 > buffer.byteLength) {
      return ERRNO_FAULT;
    }
    let total = 0;
    const chunks: Uint8Array[] = [];
    for (let index = 0; index < count; index += 1) {
      const pointer = view.getUint32(iovs + index * 8, true);
      const length = view.getUint32(iovs + index * 8 + 4, true);
      if (pointer + length > buffer.byteLength) return ERRNO_FAULT;
      chunks.push(new Uint8Array(buffer, pointer, length));
      total += length;
    }
    const joined = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      joined.set(chunk, at);
      at += chunk.length;
    }
    write(target, decoder.decode(joined));
    view.setUint32(written, total, true);
    return ERRNO_SUCCESS;
  };
  const readText = (pointer: number, length: number): string | undefined => {
    if (memory === undefined || pointer < 0 || length < 0) return undefined;
    if (pointer + length > memory.buffer.byteLength) return undefined;
    return decoder.decode(new Uint8Array(memory.buffer, pointer, length));
  };
  /**
   * A path function served only when each (fd, path) it names stays inside the fd's mount after links are
   * followed (`paths` lists argument positions of fd, pointer and length), and — for a function that
   * changes something — is not under a read-only mount.
   */
  const guarded =
    (name: string, changes: boolean, ...paths: [number, number, number][]): WasiFunction =>
    (...args) => {
      for (const [fd, pointer, length] of paths) {
        if (confined(args[fd], args[pointer], args[length]) === undefined) return ERRNO_NOTCAPABLE;
        if (changes && isReadOnly(args[fd])) return ERRNO_ROFS;
      }
      return base[name]?.(...args) ?? 0;
    };

  const overrides: Record<string, WasiFunction> = {
    proc_exit: (code) => {
      throw new GuestExit(code as number);
    },
    fd_write: (fd, iovs, count, written) =>
      writeCaptured(fd as number, iovs as number, count as number, written as number),
    path_open: (fd, dirflags, path, pathLength, oflags, rightsBase, rightsInheriting, fdflags, openedAt) => {
      const target = confined(fd, path, pathLength);
      if (target === undefined) return ERRNO_NOTCAPABLE;
      const entry = opened.get(fd as number) as OpenEntry;
      const changes =
        ((oflags as number) & (OFLAG_CREAT | OFLAG_TRUNC)) !== 0 ||
        ((fdflags as number) & FDFLAG_APPEND) !== 0;
      if (entry.readOnly && changes) return ERRNO_ROFS;
      const errno = base.path_open?.(
        fd,
        dirflags,
        path,
        pathLength,
        oflags,
        entry.readOnly ? (rightsBase as bigint) & READ_ONLY_RIGHTS : rightsBase,
        entry.readOnly ? (rightsInheriting as bigint) & READ_ONLY_RIGHTS : rightsInheriting,
        fdflags,
        openedAt,
      );
      if (errno === ERRNO_SUCCESS && memory !== undefined) {
        const fdOut = new DataView(memory.buffer).getUint32(openedAt as number, true);
        opened.set(fdOut, { path: target, root: entry.root, readOnly: entry.readOnly });
      }
      return errno;
    },
    fd_close: (fd) => {
      const errno = base.fd_close?.(fd);
      if (errno === ERRNO_SUCCESS) {
        opened.delete(fd as number);
        captured.delete(fd as number);
      }
      return errno;
    },
    fd_renumber: (from, to) => {
      const errno = base.fd_renumber?.(from, to);
      if (errno === ERRNO_SUCCESS) {
        const entry = opened.get(from as number);
        opened.delete(from as number);
        if (entry) opened.set(to as number, entry);
        else opened.delete(to as number);
        const moved = captured.get(from as number);
        captured.delete(from as number);
        if (moved) captured.set(to as number, moved);
        else captured.delete(to as number);
      }
      return errno;
    },
    // Links could point out of a mounted folder, or give a read-only file a writable name.
    path_symlink: () => ERRNO_PERM,
    path_link: () => ERRNO_PERM,
    path_create_directory: guarded('path_create_directory', true, [0, 1, 2]),
    path_remove_directory: guarded('path_remove_directory', true, [0, 1, 2]),
    path_unlink_file: guarded('path_unlink_file', true, [0, 1, 2]),
    path_filestat_set_times: guarded('path_filestat_set_times', true, [0, 2, 3]),
    path_rename: guarded('path_rename', true, [0, 1, 2], [3, 4, 5]),
    path_filestat_get: guarded('path_filestat_get', false, [0, 2, 3]),
    path_readlink: guarded('path_readlink', false, [0, 1, 2]),
  };

  let closed = false;
  return {
    imports() {
      const functions: Record<string, (context: unknown, ...args: never[]) => unknown> = {};
      for (const [name, fn] of Object.entries(base)) {
        const served = overrides[name] ?? fn;
        functions[name] = (_context: unknown, ...args: unknown[]) => served(...args);
      }
      return { [PLINTH_WASI_NAMESPACE]: functions };
    },
    attach(instance) {
      const exported = instance.exports['memory'];
      if (exported instanceof WebAssembly.Memory) {
        memory = exported;
        // Binds WASI to the guest's memory; the object stands in for the instance (which may export _start).
        wasi.initialize({ exports: { memory: exported } });
      }
      const initialize = instance.exports['_initialize'];
      if (typeof initialize === 'function') (initialize as () => void)();
    },
    flush() {
      for (const target of captured.values()) {
        if (target.pending === '') continue;
        emit(target.stream, target.pending);
        target.pending = '';
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(nullIn);
      closeSync(nullOut);
    },
  };
}
