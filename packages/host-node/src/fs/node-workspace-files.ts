import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { checkOptions } from '@plinth/protocol';
import {
  assertWorkspacePath,
  WorkspaceFileError,
  type WorkspaceEntry,
  type WorkspaceFiles,
} from '@plinth/host-kit';
import { createContainment, type ContainedPath } from './contained-path.js';
import { fileErrorFromNode, hasCode } from './errno.js';
import { nodeWorkspaceFilesOptionsSchema } from './fs-options.js';
import { compileHostPaths, type HostPaths } from './host-paths.js';
import {
  changed,
  createExclusive,
  READ_FLAGS,
  withHandle,
  withVerifiedFd,
  withVerifiedFolder,
  type VerifiedFolder,
} from './verified-fs.js';

/** Where the workspace is on disk, and what in it plugins may not see or change. */
export interface NodeWorkspaceFilesOptions {
  /** The workspace folder; it must exist. Every path is contained in its real path. */
  root: string;
  /** The largest file `read` returns; larger ones fail `too_large`. Default 16 MiB. */
  maxReadBytes?: number;
  /**
   * The host's own files inside the workspace, decided by real path (so no symlink alias or other
   * spelling reaches them): hidden ones look absent, read-only ones cannot be written or deleted.
   */
  hostPaths?: HostPaths;
}

/** The default `maxReadBytes`: 16 MiB. */
export const DEFAULT_MAX_READ_BYTES = 16 * 1024 * 1024;

/** Atomic writes go through temp files with this prefix; listings never show them. */
export const TEMP_FILE_PREFIX = '.plinth-tmp-';

const CHUNK_BYTES = 64 * 1024;

/**
 * The workspace on the local disk, synchronous (so the files bundle serves the in-thread lane). Every
 * path is resolved by real path and refused before any read or write when it leaves the root or reaches a
 * host file; then every byte goes through a descriptor verified to be the checked file (see
 * `verified-fs.ts`). Writes go to a temp file in the verified target folder and are renamed over the
 * target, so readers never see half a file.
 */
export function createNodeWorkspaceFiles(options: NodeWorkspaceFilesOptions): WorkspaceFiles {
  checkOptions('createNodeWorkspaceFiles', nodeWorkspaceFilesOptionsSchema, options);
  const maxReadBytes = options.maxReadBytes ?? DEFAULT_MAX_READ_BYTES;
  const rootReal = realRoot(options.root);
  const contain = createContainment(rootReal);
  const host = compileHostPaths(rootReal, options.hostPaths);

  /** Runs `operation` with Node errors mapped onto the closed reason set. */
  const guarded = <T>(path: string, operation: () => T): T => {
    try {
      return operation();
    } catch (error) {
      throw fileErrorFromNode(error, path);
    }
  };
  const notFound = (path: string): WorkspaceFileError =>
    new WorkspaceFileError({ reason: 'not_found', path });
  /** Absent to plugins: a host file, or a folder that holds nothing but host files. */
  const absent = (real: string): boolean => host.hidden(real) || host.hostOnlyFolder(real);
  const resolve = (path: string, rootAllowed = false): ContainedPath =>
    contain(assertWorkspacePath(path, rootAllowed));
  /** An existing path a plugin may see, or undefined. */
  const visible = (path: string, rootAllowed = false): ContainedPath | undefined => {
    const resolved = resolve(path, rootAllowed);
    return resolved.exists && !absent(resolved.real) ? resolved : undefined;
  };
  /** Refuses a change of a host file; `reals` are the paths the change would touch. */
  const refuseChange = (path: string, ...reals: string[]): void => {
    const why = reals.some((real) => host.hidden(real))
      ? 'reserved for the host'
      : reals.some((real) => host.readOnly(real))
        ? 'read-only for plugins'
        : undefined;
    if (why !== undefined) throw new WorkspaceFileError({ reason: 'invalid_path', path, detail: why });
  };

  /** Runs `use` with a verified read descriptor of an existing regular file a plugin may see. */
  const withRegularFile = <T>(path: string, use: (fd: number, stats: Stats) => T): T => {
    const resolved = visible(path);
    if (resolved === undefined) throw notFound(path);
    return withVerifiedFd(resolved.real, path, READ_FLAGS, (fd) => {
      const stats = fstatSync(fd);
      if (stats.isDirectory()) throw new WorkspaceFileError({ reason: 'not_a_file', path });
      if (!stats.isFile())
        throw new WorkspaceFileError({ reason: 'not_a_file', path, detail: 'not a regular file' });
      return use(fd, stats);
    });
  };

  /** The real path of a folder a plugin may see, or undefined when there is none. */
  const folder = (path: string, missing: 'empty' | 'fail'): string | undefined => {
    const resolved = visible(path, true);
    if (resolved === undefined) {
      if (missing === 'empty') return undefined;
      throw notFound(path);
    }
    if (!statSync(resolved.real).isDirectory())
      throw new WorkspaceFileError({ reason: 'not_a_directory', path });
    return resolved.real;
  };

  /** The real path a symlink entry leads to, when it stays inside the root. */
  const linkTarget = (path: string): string | undefined => {
    try {
      const resolved = contain(path);
      return resolved.exists ? resolved.real : undefined;
    } catch {
      return undefined;
    }
  };

  /**
   * Entries of a verified folder, leaving out temp files, host files and symlinks that lead outside the
   * root. Subfolders are entered through the parent's verified descriptor, so a folder swapped for a
   * symlink meanwhile is skipped rather than followed.
   */
  const entries = (dir: VerifiedFolder, logical: string, recursive: boolean, into: string[]): string[] => {
    for (const entry of readdirSync(dir.self, { withFileTypes: true })) {
      if (entry.name.startsWith(TEMP_FILE_PREFIX)) continue;
      const path = logical === '' ? entry.name : `${logical}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        // Listed only when it stays inside; never descended into, so link cycles cannot loop.
        const target = linkTarget(path);
        if (target !== undefined && !absent(target)) into.push(path);
        continue;
      }
      const real = join(dir.real, entry.name);
      if (absent(real)) continue;
      into.push(path);
      if (recursive && entry.isDirectory()) {
        try {
          withVerifiedFolder(real, path, (sub) => entries(sub, path, true, into));
        } catch (error) {
          // Gone or swapped since the folder was read: its entries are not listed.
          if (!WorkspaceFileError.isInstance(error) && !hasCode(error, 'ENOENT', 'ENOTDIR', 'ELOOP'))
            throw error;
        }
      }
    }
    return into;
  };

  /** The verified folder a new file goes in, creating missing folders one by one below the existing one. */
  const withTargetFolder = <T>(
    resolved: ContainedPath,
    path: string,
    use: (folder: VerifiedFolder, name: string) => T,
  ): T => {
    if (resolved.exists) {
      return withVerifiedFolder(dirname(resolved.real), path, (dir) => use(dir, basename(resolved.real)));
    }
    const parents = resolved.missing.slice(0, -1);
    const name = resolved.missing.at(-1) ?? '';
    const descend = (dir: VerifiedFolder, index: number): T => {
      const segment = parents[index];
      if (segment === undefined) return use(dir, name);
      try {
        mkdirSync(dir.entry(segment));
      } catch (error) {
        // Something appeared there meanwhile: only a real folder (not a symlink, not a file) will do.
        if (!hasCode(error, 'EEXIST')) throw error;
        const stats = lstatSync(dir.entry(segment));
        if (stats.isSymbolicLink()) throw changed(path);
        if (!stats.isDirectory()) throw WorkspaceFileError.parentNotAFolder(path);
      }
      return withVerifiedFolder(join(dir.real, segment), path, (sub) => descend(sub, index + 1));
    };
    return withVerifiedFolder(resolved.existingReal, path, (dir) => descend(dir, 0));
  };

  return {
    stat: (path) =>
      guarded(path, (): WorkspaceEntry | undefined => {
        const resolved = visible(path, true);
        if (resolved === undefined) return undefined;
        let stats: Stats;
        try {
          stats = withHandle(resolved.real, path, (fd) => fstatSync(fd));
        } catch (error) {
          if (hasCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
          throw error;
        }
        const kind = stats.isDirectory() ? 'directory' : 'file';
        return { kind, sizeBytes: stats.size, modifiedAtMs: Math.trunc(stats.mtimeMs) };
      }),
    read: (path) =>
      guarded(path, () =>
        withRegularFile(path, (fd, stats) => {
          if (stats.size > maxReadBytes) throw tooLarge(path, maxReadBytes, stats.size);
          return readCapped(fd, stats.size, path, maxReadBytes);
        }),
      ),
    hash: (path) =>
      guarded(path, () =>
        withRegularFile(path, (fd) => {
          const hash = createHash('sha256');
          forEachChunk(fd, (chunk) => hash.update(chunk));
          return hash.digest('hex');
        }),
      ),
    list: (prefix) =>
      guarded(prefix, () => {
        const real = folder(prefix, 'empty');
        if (real === undefined) return [];
        return withVerifiedFolder(real, prefix, (dir) => entries(dir, prefix, true, []));
      }),
    listDir: (path) =>
      guarded(path, () => {
        const real = folder(path, 'fail') ?? '';
        return withVerifiedFolder(real, path, (dir) => entries(dir, path, false, []));
      }),
    write: (path, content) =>
      guarded(path, () => {
        const resolved = resolve(path);
        refuseChange(path, resolved.real);
        let mode = 0o666;
        if (resolved.exists) {
          const stats = withHandle(resolved.real, path, (fd) => fstatSync(fd));
          if (stats.isDirectory())
            throw new WorkspaceFileError({ reason: 'not_a_file', path, detail: 'it is a folder' });
          mode = stats.mode & 0o777;
        } else if (resolved.blockedByFile) {
          throw WorkspaceFileError.parentNotAFolder(path);
        }
        withTargetFolder(resolved, path, (dir, name) => writeAtomically(dir, name, content, mode));
      }),
    delete: (path) =>
      guarded(path, () => {
        const resolved = resolve(path);
        const slash = path.lastIndexOf('/');
        const name = path.slice(slash + 1);
        const parent = resolve(slash === -1 ? '' : path.slice(0, slash), true);
        // Both what the entry leads to and the entry itself (a symlink) must be the plugins' own.
        refuseChange(path, resolved.real, join(parent.real, name));
        if (!resolved.exists || absent(resolved.real)) throw notFound(path);
        // Unlink the entry itself (a symlink, not what it points to), through its verified parent folder.
        withVerifiedFolder(parent.real, path, (dir) => {
          const entry = lstatSync(dir.entry(name));
          const isFolder = entry.isSymbolicLink()
            ? statSync(resolved.real).isDirectory()
            : entry.isDirectory();
          if (isFolder) throw new WorkspaceFileError({ reason: 'not_a_file', path });
          unlinkSync(dir.entry(name));
        });
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
function readCapped(fd: number, size: number, path: string, max: number): Uint8Array {
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
}

function forEachChunk(fd: number, use: (chunk: Uint8Array) => void): void {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let read = readSync(fd, buffer, 0, CHUNK_BYTES, null); read > 0;) {
    use(buffer.subarray(0, read));
    read = readSync(fd, buffer, 0, CHUNK_BYTES, null);
  }
}

/** Writes a temp file in the verified folder and renames it over `name`; the temp file never stays. */
function writeAtomically(dir: VerifiedFolder, name: string, content: Uint8Array, mode: number): void {
  const temp = dir.entry(`${TEMP_FILE_PREFIX}${randomBytes(8).toString('hex')}`);
  let created = false;
  try {
    const fd = createExclusive(dir, basename(temp), mode);
    created = true;
    try {
      for (let written = 0; written < content.length;)
        written += writeSync(fd, content, written, content.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, dir.entry(name));
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
