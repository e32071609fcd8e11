import { PlinthError } from '@plinth/protocol';

/** A file of the mirror: its bytes and when it last changed. */
export interface MirroredFile {
  bytes: Uint8Array;
  modifiedAtMs: number;
}

/** What a directory held when it was read: files and folders by workspace path (the root not listed). */
export interface LoadedDirectory {
  files: Map<string, MirroredFile>;
  /** Folder path → when the mirror first saw it (a directory handle tells no time of its own). */
  folders: Map<string, number>;
  /** Entries whose names cannot be a workspace path segment (a `\` in it); left out of the mirror. */
  skipped: string[];
}

/** Reads every file under `directory` into memory, refusing to hold more than `maxBytes`. */
export async function loadDirectory(
  directory: FileSystemDirectoryHandle,
  maxBytes: number,
  now: () => number,
): Promise<LoadedDirectory> {
  const loaded: LoadedDirectory = { files: new Map(), folders: new Map(), skipped: [] };
  let total = 0;
  const walk = async (folder: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
    for await (const [name, handle] of folder.entries()) {
      const path = `${prefix}${name}`;
      // A backslash would read as a separator once normalized: such a file cannot be named by a guest.
      if (name.includes('\\')) {
        loaded.skipped.push(path);
        continue;
      }
      if (handle.kind === 'directory') {
        loaded.folders.set(path, now());
        await walk(handle as FileSystemDirectoryHandle, `${path}/`);
        continue;
      }
      const file = await (handle as FileSystemFileHandle).getFile();
      total += file.size;
      if (total > maxBytes) {
        throw new PlinthError(
          'store_unavailable',
          `openDirectoryFiles: the directory holds more than maxBytes (${maxBytes} bytes), which the mirror would keep in memory; raise maxBytes or pick a smaller directory`,
        );
      }
      loaded.files.set(path, {
        bytes: new Uint8Array(await file.arrayBuffer()),
        modifiedAtMs: file.lastModified,
      });
    }
  };
  await walk(directory, '');
  return loaded;
}
