import {
  Directory,
  File,
  OpenFile,
  wasi as defs,
  type PreopenDirectory,
  type WASI,
} from '@bjorn3/browser_wasi_shim';

// What the runner changes in browser_wasi_shim's import object: a cap on the bytes the in-memory files
// may hold (they live in the worker's memory, which no browser limits per worker), and a fix for argv
// sizes. Wrapping the imports keeps the shim's own file classes, which create files internally.

type Import = (...args: never[]) => unknown;
type Imports = Record<string, Import>;

const utf8 = new TextEncoder();

/**
 * The shim's `args_sizes_get` (0.4.2) counts UTF-16 code units where `args_get` writes UTF-8, so a
 * non-ASCII argument overruns the buffer the module allocated (bjorn3/browser_wasi_shim#109).
 */
export function fixArgsSizes(wasi: WASI): void {
  (wasi.wasiImport as Imports)['args_sizes_get'] = ((argcPointer: number, sizePointer: number) => {
    const view = new DataView(wasi.inst.exports.memory.buffer);
    const size = wasi.args.reduce((total, arg) => total + utf8.encode(arg).length + 1, 0);
    view.setUint32(argcPointer, wasi.args.length, true);
    view.setUint32(sizePointer, size, true);
    return defs.ERRNO_SUCCESS;
  }) as Import;
}

/** Where a growing call on an open file would end it, in bytes, from its arguments. */
type EndOf = (
  file: OpenFile,
  args: readonly unknown[],
  iovecBytes: (at: number, count: number) => number,
) => number;

const GROWING: Readonly<Record<string, EndOf>> = {
  // (fd, iovs, iovs_len, nwritten): at the file's position.
  fd_write: (file, [, iovs, count], bytes) => Number(file.file_pos) + bytes(iovs as number, count as number),
  // (fd, iovs, iovs_len, offset, nwritten)
  fd_pwrite: (_file, [, iovs, count, offset], bytes) =>
    Number(offset as bigint) + bytes(iovs as number, count as number),
  // (fd, offset, len)
  fd_allocate: (_file, [, offset, length]) => Number(offset as bigint) + Number(length as bigint),
  // (fd, size)
  fd_filestat_set_size: (_file, [, size]) => Number(size as bigint),
};

/**
 * Caps the bytes the sandbox's files hold together at `maxBytes`: a write, allocation or resize that
 * would take them past it fails with ENOSPC before anything is allocated, as a full disk would. The
 * total is measured again (every file in the tree and every open one) after any call that may create,
 * truncate or drop files, and kept up to date on writes in between.
 */
export function capSandboxBytes(
  wasi: WASI,
  root: PreopenDirectory,
  options: { maxBytes: number; uncounted: readonly File[] },
): void {
  const imports = wasi.wasiImport as Imports;
  let total: number | undefined;
  const measure = (): number => {
    const files = new Set<File>();
    const walk = (directory: Directory) => {
      for (const entry of directory.contents.values()) {
        if (entry instanceof File) files.add(entry);
        else if (entry instanceof Directory) walk(entry);
      }
    };
    walk(root.dir);
    for (const fd of wasi.fds) if (fd instanceof OpenFile) files.add(fd.file);
    for (const file of options.uncounted) files.delete(file);
    let bytes = 0;
    for (const file of files) bytes += file.data.byteLength;
    return bytes;
  };
  const iovecBytes = (at: number, count: number): number => {
    const view = new DataView(wasi.inst.exports.memory.buffer);
    let bytes = 0;
    for (let index = 0; index < count; index += 1) bytes += view.getUint32(at + index * 8 + 4, true);
    return bytes;
  };
  for (const [name, original] of Object.entries(imports)) {
    const endOf = GROWING[name];
    if (endOf !== undefined) {
      imports[name] = ((...args: unknown[]) => {
        const open = wasi.fds[args[0] as number];
        if (!(open instanceof OpenFile) || options.uncounted.includes(open.file)) {
          return (original as (...values: unknown[]) => unknown)(...args);
        }
        const before = open.file.data.byteLength;
        const growth = endOf(open, args, iovecBytes) - before;
        if (growth > 0) {
          total ??= measure();
          if (total + growth > options.maxBytes) return defs.ERRNO_NOSPC;
        }
        const answer = (original as (...values: unknown[]) => unknown)(...args);
        if (total !== undefined) total += open.file.data.byteLength - before;
        return answer;
      }) as Import;
    } else if (name.startsWith('path_') || name === 'fd_close' || name === 'fd_renumber') {
      imports[name] = ((...args: unknown[]) => {
        total = undefined;
        return (original as (...values: unknown[]) => unknown)(...args);
      }) as Import;
    }
  }
}
