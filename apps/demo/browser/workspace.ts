import { openDirectoryFiles, type DirectoryFiles } from '@plinth/host-browser';
import type { SampleNotes } from '../src/browser-api.js';

/** The workspace folder in the origin-private file system: `plinth-demo/notes`. */
export const WORKSPACE_PATH = ['plinth-demo', 'notes'] as const;

export interface OpenedWorkspace {
  files: DirectoryFiles;
  /** How many sample notes were copied in; 0 when the folder already had files. */
  seeded: number;
}

/**
 * Opens the workspace folder; an empty one is first filled with the sample notes, so a reload finds what
 * the plugins wrote last time rather than a fresh copy.
 */
export async function openWorkspace(
  sample: SampleNotes,
  onPersistenceFailure: (error: Error) => void,
): Promise<OpenedWorkspace> {
  let folder = await navigator.storage.getDirectory();
  for (const name of WORKSPACE_PATH) folder = await folder.getDirectoryHandle(name, { create: true });
  const files = await openDirectoryFiles({ directory: folder, onPersistenceFailure });
  if (files.list('').length > 0) return { files, seeded: 0 };
  const encoder = new TextEncoder();
  for (const note of sample.files) files.write(note.path, encoder.encode(note.text));
  await files.settled();
  return { files, seeded: sample.files.length };
}

/** Every file of the workspace with its size, by path. */
export function workspaceFiles(files: DirectoryFiles): { path: string; sizeBytes: number }[] {
  return files
    .list('')
    .flatMap((path) => {
      const entry = files.stat(path);
      return entry?.kind === 'file' ? [{ path, sizeBytes: entry.sizeBytes }] : [];
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}
