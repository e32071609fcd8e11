import {
  assertWorkspacePath,
  WorkspaceFileError,
  type WorkspaceEntry,
  type WorkspaceFiles,
} from '@plinth/host-kit';
import { checkOptions, type PlinthError } from '@plinth/protocol';
import { directoryFilesOptionsSchema } from '../options.js';
import { sha256Hex } from '../sha256.js';
import { WriteBehind } from '../write-behind.js';
import { loadDirectory, type MirroredFile } from './load-directory.js';

/** What `openDirectoryFiles` is told. */
export interface DirectoryFilesOptions {
  /**
   * The workspace: a folder the user picked (`showDirectoryPicker()`), or one in the origin-private file
   * system (`await navigator.storage.getDirectory()`).
   */
  directory: FileSystemDirectoryHandle;
  /** Most bytes the mirror will hold; opening a larger directory fails. Default 256 MiB. */
  maxBytes?: number | undefined;
  /** The clock for modification times of written files. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Hears the first persistence failure at once (see `DirectoryFiles.failure`). */
  onPersistenceFailure?: ((error: PlinthError) => void) | undefined;
}

/**
 * Workspace files over a directory handle, read into memory when opened: answers at once (the in-thread
 * lane cannot wait) and writes every change through to the directory, in order.
 */
export interface DirectoryFiles extends WorkspaceFiles {
  /** Paths left out because their names cannot be workspace paths (they contain `\`). */
  readonly skipped: readonly string[];
  /** The persistence failure, once there is one: every write throws it from then on. */
  readonly failure: PlinthError | undefined;
  /** Resolves once every change made so far is in the directory; rejects with the failure if one was not. */
  settled(): Promise<void>;
  /** Waits for `settled()`; every call is refused from then on. */
  close(): Promise<void>;
}

/** `openDirectoryFiles`' default `maxBytes`: 256 MiB. */
export const DEFAULT_DIRECTORY_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Reads the whole directory into a mirror and answers the `WorkspaceFiles` it serves. Changes made to
 * the directory by anyone else after this (another tab, the user's editor) are not seen until it is
 * opened again. Rejects with a `store_unavailable` PlinthError when the directory holds more than `maxBytes`.
 */
export async function openDirectoryFiles(options: DirectoryFilesOptions): Promise<DirectoryFiles> {
  checkOptions('openDirectoryFiles', directoryFilesOptionsSchema, options);
  const { directory } = options;
  const now = options.now ?? Date.now;
  const openedAt = now();
  const { files, folders, skipped } = await loadDirectory(
    directory,
    options.maxBytes ?? DEFAULT_DIRECTORY_MAX_BYTES,
    now,
  );
  const queue = new WriteBehind(
    `workspace directory ${JSON.stringify(directory.name)}`,
    options.onPersistenceFailure,
  );

  const isFolder = (path: string): boolean => path === '' || folders.has(path);
  const fileAt = (path: string): MirroredFile => {
    queue.assertOpen(`read ${JSON.stringify(path)}`);
    const file = files.get(assertWorkspacePath(path));
    if (file !== undefined) return file;
    throw new WorkspaceFileError({ reason: isFolder(path) ? 'not_a_file' : 'not_found', path });
  };
  /** The folder's listing prefix (`""` or `path/`), or undefined when it is missing and that is allowed. */
  const folderAt = (path: string, missing: 'empty' | 'fail'): string | undefined => {
    queue.assertOpen(`list ${JSON.stringify(path)}`);
    assertWorkspacePath(path, true);
    if (files.has(path)) throw new WorkspaceFileError({ reason: 'not_a_directory', path });
    if (isFolder(path)) return path === '' ? '' : `${path}/`;
    if (missing === 'fail') throw new WorkspaceFileError({ reason: 'not_found', path });
    return undefined;
  };
  const allPaths = (): string[] => [...files.keys(), ...folders.keys()];

  /** The handle of the folder holding `path`, its folders created on the way when `create` is set. */
  const parentHandle = async (path: string, create: boolean): Promise<FileSystemDirectoryHandle> => {
    let folder = directory;
    for (const segment of path.split('/').slice(0, -1)) {
      folder = await folder.getDirectoryHandle(segment, { create });
    }
    return folder;
  };
  const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

  return {
    skipped,
    get failure() {
      return queue.failure;
    },
    stat(path): WorkspaceEntry | undefined {
      queue.assertOpen(`look up ${JSON.stringify(path)}`);
      assertWorkspacePath(path, true);
      const file = files.get(path);
      if (file !== undefined)
        return { kind: 'file', sizeBytes: file.bytes.length, modifiedAtMs: file.modifiedAtMs };
      if (path === '') return { kind: 'directory', sizeBytes: 0, modifiedAtMs: openedAt };
      const folder = folders.get(path);
      return folder === undefined ? undefined : { kind: 'directory', sizeBytes: 0, modifiedAtMs: folder };
    },
    read: (path) => fileAt(path).bytes.slice(),
    hash: (path) => sha256Hex(fileAt(path).bytes),
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
      queue.assertWritable(`write ${JSON.stringify(path)}`);
      assertWorkspacePath(path);
      if (isFolder(path))
        throw new WorkspaceFileError({ reason: 'not_a_file', path, detail: 'it is a folder' });
      const segments = path.split('/');
      const parents = segments.slice(0, -1).map((_, index) => segments.slice(0, index + 1).join('/'));
      if (parents.some((parent) => files.has(parent))) throw WorkspaceFileError.parentNotAFolder(path);
      const at = now();
      for (const parent of parents) if (!folders.has(parent)) folders.set(parent, at);
      const bytes = content.slice();
      files.set(path, { bytes, modifiedAtMs: at });
      queue.enqueue(
        () => `the write of ${JSON.stringify(path)}`,
        async () => {
          const handle = await (await parentHandle(path, true)).getFileHandle(nameOf(path), { create: true });
          // A writable stream writes to a swap file that replaces the file only on close: atomic.
          const writable = await handle.createWritable();
          try {
            await writable.write(bytes);
            await writable.close();
          } catch (error) {
            await writable.abort().catch(() => undefined);
            throw error;
          }
        },
      );
    },
    delete(path) {
      queue.assertWritable(`delete ${JSON.stringify(path)}`);
      fileAt(path);
      files.delete(path);
      queue.enqueue(
        () => `the deletion of ${JSON.stringify(path)}`,
        async () => (await parentHandle(path, false)).removeEntry(nameOf(path)),
      );
    },
    settled: () => queue.settled(),
    async close() {
      queue.close();
      await queue.settled();
    },
  };
}
