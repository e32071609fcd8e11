import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  assertWorkspacePath,
  WorkspaceFileError,
  type WorkspaceEntry,
  type WorkspaceFiles,
} from '@plinth/runtime';
import { createContainment, type ContainedPath } from './contained-path.js';
import { fileErrorFromNode, hasCode } from './errno.js';

export interface NodeWorkspaceFilesOptions {
  /** The workspace folder; it must exist. Every path is contained in its real path. */
  root: string;
  /** The largest file `read` returns; larger ones fail `too_large`. Default 16 MiB. */
  maxReadBytes?: number;
}

export const DEFAULT_MAX_READ_BYTES = 16 * 1024 * 1024;

/** Atomic writes go through temp files with this prefix; listings never show them. */
export const TEMP_FILE_PREFIX = '.plinth-tmp-';

const CHUNK_BYTES = 64 * 1024;

/**
 * The workspace on the local disk, synchronous (so the files bundle serves the in-thread lane). Every
 * path is resolved by real path and refused before any read or write when it leaves the root; writes go
 * to a temp file in the target's folder and are renamed over it, so readers never see half a file.
 */
export function createNodeWorkspaceFiles(options: NodeWorkspaceFilesOptions): WorkspaceFiles {
  const maxReadBytes = options.maxReadBytes ?? DEFAULT_MAX_READ_BYTES;
  if (!Number.isSafeInteger(maxReadBytes) || maxReadBytes < 0)
    throw new RangeError(`maxReadBytes must be a non-negative integer (got ${maxReadBytes})`);
  const rootReal = realRoot(options.root);
  const contain = createContainment(rootReal);

  /** Runs `operation` with Node errors mapped onto the closed reason set. */
  const guarded = <T>(path: string, operation: () => T): T => {
    try {
      return operation();
    } catch (error) {
      throw fileErrorFromNode(error, path);
    }
  };
  const resolve = (path: string, rootAllowed = false): ContainedPath =>
    contain(assertWorkspacePath(path, rootAllowed));

  /** The stats of an existing regular file, or the reason there is none. */
  const regularFile = (path: string): { resolved: ContainedPath; stats: Stats } => {
    const resolved = resolve(path);
    if (!resolved.exists) throw new WorkspaceFileError({ reason: 'not_found', path });
    const stats = statSync(resolved.real);
    if (stats.isDirectory()) throw new WorkspaceFileError({ reason: 'not_a_file', path });
    if (!stats.isFile())
      throw new WorkspaceFileError({ reason: 'not_a_file', path, detail: 'not a regular file' });
    return { resolved, stats };
  };

  const folder = (path: string, missing: 'empty' | 'fail'): string | undefined => {
    const resolved = resolve(path, true);
    if (!resolved.exists) {
      if (missing === 'empty') return undefined;
      throw new WorkspaceFileError({ reason: 'not_found', path });
    }
    if (!statSync(resolved.real).isDirectory())
      throw new WorkspaceFileError({ reason: 'not_a_directory', path });
    return resolved.real;
  };

  const staysInside = (path: string): boolean => {
    try {
      return contain(path).exists;
    } catch {
      return false;
    }
  };

  /** Entries of a folder, leaving out temp files and symlinks that lead outside the root. */
  const entries = (real: string, logical: string, recursive: boolean, into: string[]): string[] => {
    for (const entry of readdirSync(real, { withFileTypes: true })) {
      if (entry.name.startsWith(TEMP_FILE_PREFIX)) continue;
      const path = logical === '' ? entry.name : `${logical}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        // Listed only when it stays inside; never descended into, so link cycles cannot loop.
        if (staysInside(path)) into.push(path);
        continue;
      }
      into.push(path);
      if (recursive && entry.isDirectory()) entries(join(real, entry.name), path, true, into);
    }
    return into;
  };

  return {
    stat: (path) =>
      guarded(path, (): WorkspaceEntry | undefined => {
        const resolved = resolve(path, true);
        if (!resolved.exists) return undefined;
        let stats: Stats;
        try {
          stats = statSync(resolved.real);
        } catch (error) {
          if (hasCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
          throw error;
        }
        const kind = stats.isDirectory() ? 'directory' : 'file';
        return { kind, sizeBytes: stats.size, modifiedAtMs: Math.trunc(stats.mtimeMs) };
      }),
    read: (path) =>
      guarded(path, () => {
        const { resolved, stats } = regularFile(path);
        if (stats.size > maxReadBytes) throw tooLarge(path, maxReadBytes, stats.size);
        return readCapped(resolved.real, path, maxReadBytes);
      }),
    hash: (path) =>
      guarded(path, () => {
        const hash = createHash('sha256');
        forEachChunk(regularFile(path).resolved.real, (chunk) => hash.update(chunk));
        return hash.digest('hex');
      }),
    list: (prefix) =>
      guarded(prefix, () => {
        const real = folder(prefix, 'empty');
        return real === undefined ? [] : entries(real, prefix, true, []);
      }),
    listDir: (path) => guarded(path, () => entries(folder(path, 'fail') ?? '', path, false, [])),
    write: (path, content) =>
      guarded(path, () => {
        const resolved = resolve(path);
        let mode = 0o666;
        if (resolved.exists) {
          const stats = statSync(resolved.real);
          if (stats.isDirectory())
            throw new WorkspaceFileError({ reason: 'not_a_file', path, detail: 'it is a folder' });
          mode = stats.mode & 0o777;
        } else if (resolved.blockedByFile) {
          throw WorkspaceFileError.parentNotAFolder(path);
        }
        const target = resolved.exists ? resolved.real : makeParents(resolved, path);
        writeAtomically(target, content, mode);
      }),
    delete: (path) =>
      guarded(path, () => {
        const resolved = resolve(path);
        if (!resolved.exists) throw new WorkspaceFileError({ reason: 'not_found', path });
        if (statSync(resolved.real).isDirectory())
          throw new WorkspaceFileError({ reason: 'not_a_file', path });
        // Unlink the entry itself (a symlink, not what it points to), found through its contained parent.
        const slash = path.lastIndexOf('/');
        const parent = resolve(slash === -1 ? '' : path.slice(0, slash), true);
        unlinkSync(join(parent.real, path.slice(slash + 1)));
      }),
  };
}

function realRoot(root: string): string {
  let real: string;
  try {
    real = realpathSync.native(root);
  } catch (error) {
    throw new Error(`workspace root ${root} cannot be used: ${(error as Error).message}`, { cause: error });
  }
  if (!statSync(real).isDirectory()) throw new Error(`workspace root ${root} is not a folder`);
  return real;
}

/** `size` is unknown when the file grew past the limit while being read. */
const tooLarge = (path: string, max: number, size?: number) =>
  new WorkspaceFileError({
    reason: 'too_large',
    path,
    detail: `${size === undefined ? 'it is' : `${size} bytes,`} over the read limit of ${max} bytes`,
  });

/** Reads at most `max` bytes; a file that grew past the limit since it was checked still fails. */
function readCapped(real: string, path: string, max: number): Uint8Array {
  const fd = openSync(real, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.allocUnsafe(Math.min(size, max) + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > max) throw tooLarge(path, max);
      if (length === buffer.length) break;
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
  } finally {
    closeSync(fd);
  }
}

function forEachChunk(real: string, use: (chunk: Uint8Array) => void): void {
  const fd = openSync(real, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let read = readSync(fd, buffer, 0, CHUNK_BYTES, null); read > 0;) {
      use(buffer.subarray(0, read));
      read = readSync(fd, buffer, 0, CHUNK_BYTES, null);
    }
  } finally {
    closeSync(fd);
  }
}

/** Creates the missing folders one by one below the contained ancestor; answers the file's real path. */
function makeParents(resolved: ContainedPath, path: string): string {
  let current = resolved.existingReal;
  for (const segment of resolved.missing.slice(0, -1)) {
    current = join(current, segment);
    try {
      mkdirSync(current);
    } catch (error) {
      // Something appeared there meanwhile: only a real folder (not a symlink, not a file) will do.
      if (!hasCode(error, 'EEXIST')) throw error;
      const stats = lstatSync(current);
      if (stats.isSymbolicLink())
        throw new WorkspaceFileError({ reason: 'escape', path, detail: 'a folder changed' });
      if (!stats.isDirectory()) throw WorkspaceFileError.parentNotAFolder(path);
    }
  }
  return join(current, resolved.missing.at(-1) ?? '');
}

/** Writes a temp file beside the target and renames it over the target; the temp file never stays. */
function writeAtomically(target: string, content: Uint8Array, mode: number): void {
  const temp = join(dirname(target), `${TEMP_FILE_PREFIX}${randomBytes(8).toString('hex')}`);
  let created = false;
  try {
    const fd = openSync(temp, 'wx', mode);
    created = true;
    try {
      for (let written = 0; written < content.length;)
        written += writeSync(fd, content, written, content.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    if (created) {
      try {
        unlinkSync(temp);
      } catch {
        // Already gone (the rename may have happened); nothing else to clean up.
      }
    }
    throw error;
  }
}
