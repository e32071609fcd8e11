import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Why a folder could not be read as a workspace; the CLI prints the message as a usage error. */
export class WorkspaceFolderError extends Error {
  override name = 'WorkspaceFolderError';
}

/**
 * A folder on disk as harness `files`: every file by its `/`-separated relative path (bytes), every empty
 * folder as `path/`. Symlinks and special files are refused rather than followed, so the workspace is
 * exactly what the folder holds.
 */
export function readWorkspaceFolder(root: string): Record<string, Uint8Array | string> {
  let stat;
  try {
    stat = lstatSync(root);
  } catch (error) {
    throw new WorkspaceFolderError(`cannot read the files folder ${root}: ${(error as Error).message}`);
  }
  if (!stat.isDirectory()) throw new WorkspaceFolderError(`the files folder ${root} is not a folder`);
  const files: Record<string, Uint8Array | string> = {};
  const walk = (dir: string, prefix: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.length === 0 && prefix !== '') files[prefix] = '';
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const relative = `${prefix}${entry.name}`;
      if (entry.isDirectory()) walk(path, `${relative}/`);
      else if (entry.isFile()) files[relative] = new Uint8Array(readFileSync(path));
      else {
        throw new WorkspaceFolderError(
          `the files folder ${root} holds ${relative}, which is ${entry.isSymbolicLink() ? 'a symlink' : 'not a regular file'}; only files and folders are copied into the workspace`,
        );
      }
    }
  };
  try {
    walk(root, '');
  } catch (error) {
    if (error instanceof WorkspaceFolderError) throw error;
    throw new WorkspaceFolderError(`cannot read the files folder ${root}: ${(error as Error).message}`);
  }
  return files;
}
