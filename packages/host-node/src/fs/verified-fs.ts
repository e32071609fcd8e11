import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { WorkspaceFileError } from '@plinth/host-kit';

/*
 * Check-then-use, closed. A path is checked by real path first; then the host opens it without following a
 * final symlink and verifies the opened descriptor itself before any byte goes through it. On Linux the
 * descriptor's own path (`/proc/self/fd/N`) must equal the checked real path, and a folder is reached
 * through its descriptor (`/proc/self/fd/N/name`), so a folder renamed or swapped for a symlink after the
 * check cannot redirect a create, rename, delete or listing. Elsewhere the descriptor's device and inode
 * must equal the checked path's.
 */

/** `O_PATH` on Linux (the same value on x86-64 and arm64): a handle for stat and lookups, no read access. */
const O_PATH = 0o10000000;
const PROC_FD = '/proc/self/fd';
const viaProc = process.platform === 'linux' && existsSync(PROC_FD);

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const DIRECTORY = constants.O_DIRECTORY ?? 0;
/** A swap to a FIFO must not block the host in `open`. */
const NONBLOCK = constants.O_NONBLOCK ?? 0;

export const READ_FLAGS = constants.O_RDONLY | NOFOLLOW | NONBLOCK;
/** For stat and as a folder handle: no read permission needed and nothing opened for I/O where possible. */
const HANDLE_FLAGS = viaProc ? O_PATH | NOFOLLOW : constants.O_RDONLY | NOFOLLOW | NONBLOCK;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;

export const changed = (path: string): WorkspaceFileError =>
  new WorkspaceFileError({ reason: 'escape', path, detail: 'it changed while it was being opened' });

/** Throws unless the descriptor is the file or folder at `real` (the path that was checked). */
function verify(fd: number, real: string, path: string): void {
  if (viaProc) {
    if (readlinkSync(`${PROC_FD}/${fd}`) !== real) throw changed(path);
    return;
  }
  const opened = fstatSync(fd);
  let checked;
  try {
    checked = lstatSync(real);
  } catch {
    throw changed(path);
  }
  if (opened.dev !== checked.dev || opened.ino !== checked.ino) throw changed(path);
}

/** Opens `real` (never through a final symlink), verifies the descriptor, and runs `use` with it. */
export function withVerifiedFd<T>(real: string, path: string, flags: number, use: (fd: number) => T): T {
  const fd = openSync(real, flags);
  try {
    verify(fd, real, path);
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

/** `withVerifiedFd` with a handle good for `fstat` (an `O_PATH` descriptor on Linux). */
export const withHandle = <T>(real: string, path: string, use: (fd: number) => T): T =>
  withVerifiedFd(real, path, HANDLE_FLAGS, use);

/** A folder reached through its verified descriptor: names inside it resolve in that very folder. */
export interface VerifiedFolder {
  /** The folder's real path as it was checked. */
  readonly real: string;
  /** The path to use for an entry of this folder (`/proc/self/fd/N/name` on Linux). */
  entry(name: string): string;
  /** The path to use for the folder itself (e.g. to list it). */
  readonly self: string;
}

/** Opens the folder at `real` as a verified handle for the duration of `use`. */
export function withVerifiedFolder<T>(real: string, path: string, use: (folder: VerifiedFolder) => T): T {
  return withVerifiedFd(real, path, HANDLE_FLAGS | DIRECTORY, (fd) => {
    const self = viaProc ? `${PROC_FD}/${fd}` : real;
    return use({ real, self, entry: (name) => join(self, name) });
  });
}

/** Creates a new file exclusively (never through a symlink) in a verified folder. */
export const createExclusive = (folder: VerifiedFolder, name: string, mode: number): number =>
  openSync(folder.entry(name), CREATE_FLAGS, mode);
