import { WorkspaceFileError, type WorkspaceFileErrorReason } from '@plinth/host-kit';

const REASONS: Readonly<Record<string, WorkspaceFileErrorReason>> = {
  ENOENT: 'not_found',
  ENOTDIR: 'not_a_directory',
  EISDIR: 'not_a_file',
  EACCES: 'access_denied',
  EPERM: 'access_denied',
  EROFS: 'access_denied',
  EFBIG: 'too_large',
  // A final symlink where a checked real path was (opened with O_NOFOLLOW): swapped in after the check.
  ELOOP: 'escape',
};

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** Whether a Node error carries this errno code. */
export const hasCode = (error: unknown, ...codes: string[]): boolean => {
  const code = codeOf(error);
  return code !== undefined && codes.includes(code);
};

/**
 * Maps a Node file-system error onto the closed reason set. The Node message is kept only as the cause:
 * it holds absolute host paths, which the guest must not see.
 */
export function fileErrorFromNode(error: unknown, path: string): WorkspaceFileError {
  if (WorkspaceFileError.isInstance(error)) return error;
  const errno = codeOf(error);
  const reason = (errno === undefined ? undefined : REASONS[errno]) ?? 'io';
  if (reason === 'not_a_directory') return WorkspaceFileError.parentNotAFolder(path, error);
  return new WorkspaceFileError({ reason, path, errno, cause: error });
}
