import { createHash } from 'node:crypto';
import { checkOptions } from '@plinth/protocol';
import {
  createFilesBundle,
  assertWorkspacePath,
  WorkspaceFileError,
  type FilesBundleOptions,
  type HostBundle,
  type WorkspaceEntry,
  type WorkspaceFiles,
} from '@plinth/host-kit';
import { memoryFsBundleOptionsSchema, memoryWorkspaceFilesArgumentsSchema } from '../testkit-options.js';

/** What `createMemoryWorkspaceFiles` may be told. */
export interface MemoryWorkspaceFilesOptions {
  /** The clock for modification times (ms since epoch); `Date.now` by default. */
  now?: () => number;
}

/** The in-memory workspace, with accessors for tests to look inside. */
export interface MemoryWorkspaceFiles extends WorkspaceFiles {
  /** A copy of every file's bytes, keyed by workspace-relative path. */
  snapshot(): Record<string, Uint8Array>;
  /** The same, decoded as UTF-8 (invalid bytes become U+FFFD). */
  snapshotText(): Record<string, string>;
  /** Every folder, sorted (the root is not listed). */
  folders(): string[];
}

interface StoredFile {
  bytes: Uint8Array;
  modifiedAtMs: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The in-memory twin of a workspace (`WorkspaceFiles`): the same behaviour as the Node backend, held to
 * it by the files contract suite. `initialFiles` maps workspace-relative paths to text or bytes; a key
 * ending in `/` makes an empty folder. Parent folders exist implicitly and stay after their files are
 * deleted, as on disk.
 */
export function createMemoryWorkspaceFiles(
  initialFiles: Readonly<Record<string, string | Uint8Array>> = {},
  options: MemoryWorkspaceFilesOptions = {},
): MemoryWorkspaceFiles {
  checkOptions('createMemoryWorkspaceFiles', memoryWorkspaceFilesArgumentsSchema, { initialFiles, options });
  const now = options.now ?? Date.now;
  const files = new Map<string, StoredFile>();
  const folders = new Map<string, number>();

  const addParents = (path: string, at: number): void => {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const folder = segments.slice(0, i).join('/');
      if (files.has(folder)) throw WorkspaceFileError.parentNotAFolder(path);
      if (!folders.has(folder)) folders.set(folder, at);
    }
  };

  for (const [key, content] of Object.entries(initialFiles)) {
    const at = now();
    if (key.endsWith('/')) {
      const folder = assertWorkspacePath(key.slice(0, -1));
      addParents(`${folder}/x`, at);
      continue;
    }
    const path = assertWorkspacePath(key);
    addParents(path, at);
    files.set(path, {
      bytes: typeof content === 'string' ? encoder.encode(content) : content.slice(),
      modifiedAtMs: at,
    });
  }

  const fileAt = (path: string): StoredFile => {
    const file = files.get(assertWorkspacePath(path));
    if (file !== undefined) return file;
    throw new WorkspaceFileError({ reason: isFolder(path) ? 'not_a_file' : 'not_found', path });
  };
  const isFolder = (path: string): boolean => path === '' || folders.has(path);
  const folderAt = (path: string, missing: 'empty' | 'fail'): string | undefined => {
    assertWorkspacePath(path, true);
    if (files.has(path)) throw new WorkspaceFileError({ reason: 'not_a_directory', path });
    if (isFolder(path)) return path === '' ? '' : `${path}/`;
    if (missing === 'fail') throw new WorkspaceFileError({ reason: 'not_found', path });
    return undefined;
  };
  const allPaths = (): string[] => [...files.keys(), ...folders.keys()];

  return {
    stat(path): WorkspaceEntry | undefined {
      assertWorkspacePath(path, true);
      const file = files.get(path);
      if (file !== undefined)
        return { kind: 'file', sizeBytes: file.bytes.length, modifiedAtMs: file.modifiedAtMs };
      if (path === '') return { kind: 'directory', sizeBytes: 0, modifiedAtMs: 0 };
      const folder = folders.get(path);
      return folder === undefined ? undefined : { kind: 'directory', sizeBytes: 0, modifiedAtMs: folder };
    },
    read: (path) => fileAt(path).bytes.slice(),
    hash: (path) => createHash('sha256').update(fileAt(path).bytes).digest('hex'),
    list(prefix) {
      const base = folderAt(prefix, 'empty');
      if (base === undefined) return [];
      return allPaths().filter((path) => path.startsWith(base));
    },
    listDir(path) {
      const base = folderAt(path, 'fail') ?? '';
      return allPaths().filter((entry) => entry.startsWith(base) && !entry.slice(base.length).includes('/'));
    },
    write(path, content) {
      assertWorkspacePath(path);
      if (isFolder(path))
        throw new WorkspaceFileError({ reason: 'not_a_file', path, detail: 'it is a folder' });
      const at = now();
      addParents(path, at);
      files.set(path, { bytes: content.slice(), modifiedAtMs: at });
    },
    delete(path) {
      fileAt(path);
      files.delete(path);
    },
    snapshot: () => Object.fromEntries([...files].sort().map(([path, file]) => [path, file.bytes.slice()])),
    snapshotText: () =>
      Object.fromEntries([...files].sort().map(([path, file]) => [path, decoder.decode(file.bytes)])),
    folders: () => [...folders.keys()].sort(),
  };
}

/**
 * What `createMemoryFsBundle` takes: the files bundle's options, with the workspace given as starting files
 * or an existing in-memory workspace.
 */
export interface MemoryFsBundleOptions extends Omit<FilesBundleOptions, 'files'> {
  /** Files the workspace starts with (see `createMemoryWorkspaceFiles`). */
  initialFiles?: Readonly<Record<string, string | Uint8Array>>;
  /** Use this workspace instead of a fresh one (e.g. to share it between bundles). */
  files?: MemoryWorkspaceFiles;
}

/** Where the in-memory workspace pretends to live, so absolute paths behave as on disk. */
export const MEMORY_WORKSPACE_ROOT = '/workspace';

/**
 * The files bundle over an in-memory workspace; `files` is that workspace, for tests to inspect.
 * `workspaceRoot` defaults to `MEMORY_WORKSPACE_ROOT`.
 */
export function createMemoryFsBundle(options: MemoryFsBundleOptions): {
  bundle: HostBundle;
  files: MemoryWorkspaceFiles;
} {
  checkOptions('createMemoryFsBundle', memoryFsBundleOptionsSchema, options);
  const { initialFiles, files = createMemoryWorkspaceFiles(initialFiles), ...rest } = options;
  return { bundle: createFilesBundle({ workspaceRoot: MEMORY_WORKSPACE_ROOT, ...rest, files }), files };
}
