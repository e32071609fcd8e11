import { normalizeFilePath } from '@plinth/permissions';
import {
  checkOptions,
  getHostFunction,
  type CapabilityFunctionName,
  type GuestEvent,
  type PermissionType,
} from '@plinth/protocol';
import type { CapabilityBundle } from '../bundle/coverage.js';
import type { HostAnswer, HostCallContext } from '../bundle/host-bundle.js';
import { filesBundleOptionsSchema } from '../options/capability-options.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { permissionGate, type PermissionGateOptions } from '../bundle/permission-gate.js';

/** Why a workspace file operation failed: a closed set, mapped from errno by each backend. */
export const WORKSPACE_FILE_ERROR_REASONS = [
  'invalid_path',
  'not_found',
  'not_a_file',
  'not_a_directory',
  'escape',
  'too_large',
  'access_denied',
  'io',
] as const;
/** One of `WORKSPACE_FILE_ERROR_REASONS`: why a workspace file operation failed. */
export type WorkspaceFileErrorReason = (typeof WORKSPACE_FILE_ERROR_REASONS)[number];

/** What a `WorkspaceFileError` is built from; the message is worded from these. */
export interface WorkspaceFileErrorOptions {
  reason: WorkspaceFileErrorReason;
  /** The workspace-relative path the operation was given. */
  path: string;
  /** The backend's own code (e.g. `EIO`), for logs and the `io` message. */
  errno?: string | undefined;
  /** Extra words for the message; must never contain host paths (the guest sees the message). */
  detail?: string | undefined;
  cause?: unknown;
}

const FILE_ERROR_MARKER = Symbol.for('plinth.workspace-file-error');

/** A failed operation of a `WorkspaceFiles` service. Its message is safe to show to the guest. */
export class WorkspaceFileError extends Error {
  readonly [FILE_ERROR_MARKER] = true;
  readonly reason: WorkspaceFileErrorReason;
  readonly path: string;
  readonly errno: string | undefined;

  constructor(options: WorkspaceFileErrorOptions) {
    super(describeFileError(options), options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'WorkspaceFileError';
    this.reason = options.reason;
    this.path = options.path;
    this.errno = options.errno;
  }

  /** A parent of `path` is a file, so `path` cannot exist. The same words from every backend. */
  static parentNotAFolder(path: string, cause?: unknown): WorkspaceFileError {
    return new WorkspaceFileError({
      reason: 'not_a_directory',
      path,
      detail: 'a parent folder is a file',
      cause,
    });
  }

  /** Works across copies of the package. */
  static isInstance(value: unknown): value is WorkspaceFileError {
    return typeof value === 'object' && value !== null && FILE_ERROR_MARKER in value;
  }
}

function describeFileError({ reason, path, errno, detail }: WorkspaceFileErrorOptions): string {
  const quoted = JSON.stringify(path);
  const extra = detail === undefined ? '' : `: ${detail}`;
  switch (reason) {
    case 'invalid_path':
      return `invalid path ${quoted}${extra}`;
    case 'not_found':
      return `${quoted} does not exist${extra}`;
    case 'not_a_file':
      return `${quoted} is not a file${extra}`;
    case 'not_a_directory':
      // With a detail, it is a parent of the path that is not a folder.
      return detail === undefined ? `${quoted} is not a folder` : `${quoted}: ${detail}`;
    case 'escape':
      return `${quoted} resolves outside the workspace${extra}`;
    case 'too_large':
      return `${quoted} is too large${extra}`;
    case 'access_denied':
      return `${quoted} cannot be accessed by the host${errno === undefined ? '' : ` (${errno})`}${extra}`;
    case 'io':
      return `I/O error on ${quoted}${errno === undefined ? '' : ` (${errno})`}${extra}`;
  }
}

/**
 * Refuses anything but a normalized workspace path (the form `WorkspaceFiles` takes): no NUL, backslash,
 * leading `/`, empty, `.` or `..` segment; `""` (the root) only where `rootAllowed`. Backends call it on
 * every path they are given, whoever the caller is.
 */
export function assertWorkspacePath(path: string, rootAllowed = false): string {
  const bad =
    typeof path !== 'string' ||
    path.includes('\0') ||
    path.includes('\\') ||
    path.startsWith('/') ||
    (path === '' && !rootAllowed) ||
    (path !== '' && path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..'));
  if (bad) {
    throw new WorkspaceFileError({
      reason: 'invalid_path',
      path: String(path),
      detail: 'not a normalized workspace path',
    });
  }
  return path;
}

/** What is at a workspace path. */
export interface WorkspaceEntry {
  kind: 'file' | 'directory';
  sizeBytes: number;
  modifiedAtMs: number;
}

/**
 * The workspace files a bundle serves. Synchronous, so the bundle works in the in-thread lane. Paths in
 * are workspace-relative, `/`-separated and already normalized (no `..`, no leading `/`; `""` is the
 * root); paths out have the same form. Failures throw `WorkspaceFileError`; anything else thrown is an
 * internal error of the host.
 */
export interface WorkspaceFiles {
  /** What is at `path`, or `undefined` when nothing is. */
  stat(path: string): WorkspaceEntry | undefined;
  /** The bytes of the file at `path`. */
  read(path: string): Uint8Array;
  /** SHA-256 of the file at `path`, lowercase hex. */
  hash(path: string): string;
  /** Every file and folder under the folder `prefix`, recursively, in any order; `[]` if it is missing. */
  list(prefix: string): string[];
  /** The direct children of the folder at `path`, in any order. */
  listDir(path: string): string[];
  /** Replaces or creates the file at `path` atomically, creating parent folders as needed. */
  write(path: string, content: Uint8Array): void;
  /** Deletes the file at `path` (never a folder). */
  delete(path: string): void;
}

/** A change a plugin made through the bundle, for the host to broadcast. */
export interface FileEvent {
  type: 'file_created' | 'file_saved' | 'file_deleted';
  /** Workspace-relative path. */
  path: string;
  /** The plugin that made the change. */
  pluginId: string;
}

/** The GuestEvent (PROTOCOL.md §3) a file event is broadcast as. */
export function fileEventToGuestEvent(event: FileEvent): GuestEvent {
  return { event_type: event.type, payload: { path: event.path } };
}

export interface FilesBundleOptions extends PermissionGateOptions {
  files: WorkspaceFiles;
  /** Hears about every successful write and delete; a throwing listener does not fail the write. */
  onFileEvent?: ((event: FileEvent) => void) | undefined;
}

type FileFunction = CapabilityFunctionName<'files'>;
type FileRequest = { path: string } | { prefix: string };
/**
 * Checks the catalogue's permission for the request, then runs `proceed`. `choose` picks among the
 * catalogue's types where it lists several (writes: edit or create).
 */
type Check = (
  proceed: () => HostAnswer,
  choose?: (types: readonly PermissionType[]) => PermissionType,
) => HostAnswer | Promise<HostAnswer>;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * The workspace-files host functions over a `WorkspaceFiles` service. Every path is normalized (and
 * refused when it traverses, hides a NUL or is absolute outside `workspaceRoot`) and the permission is
 * checked before the service reads or writes anything; a write first looks up whether the file exists, to
 * check `edit_files` or `create_files`. Handlers are synchronous unless `ask` is set (then they answer
 * promises, which only the isolated lane can await).
 */
export function createFilesBundle(options: FilesBundleOptions): CapabilityBundle<'files'> {
  checkOptions('createFilesBundle', filesBundleOptionsSchema, options);
  const { files, onFileEvent, workspaceRoot } = options;
  const gate = permissionGate(options);

  const emit = (type: FileEvent['type'], path: string, context: HostCallContext): void => {
    try {
      onFileEvent?.({ type, path, pluginId: context.pluginId });
    } catch {
      // The change happened; a broken listener must not make the guest believe it did not.
    }
  };

  /** Normalizes the path, then lets `run` check permissions (via `check`) and do the work. */
  const serve = (
    name: FileFunction,
    request: FileRequest,
    context: HostCallContext,
    run: (path: string, check: Check) => HostAnswer | Promise<HostAnswer>,
  ): HostAnswer | Promise<HostAnswer> => {
    const raw = 'prefix' in request ? request.prefix : request.path;
    const normalized = normalizeFilePath(raw, workspaceRoot);
    if (!normalized.ok) return { failure: `invalid path ${JSON.stringify(raw)}: ${normalized.problem}` };
    const listing = name === 'host_list_files' || name === 'host_list_dir';
    if (normalized.value === '' && !listing)
      return { failure: 'path must name a file, not the workspace root' };
    // The catalogue derives the target (the raw path or prefix); the checker normalizes it the same way.
    const check: Check = (proceed, choose) =>
      gate.guardRequest(name, request as never, context, () => attempt(proceed), choose);
    return attempt(() => run(normalized.value, check));
  };

  const reader =
    (name: FileFunction, answer: (path: string, context: HostCallContext) => HostAnswer) =>
    (request: FileRequest, context: HostCallContext) =>
      serve(name, request, context, (path, check) => check(() => answer(path, context)));

  const writer =
    (name: 'host_write_file' | 'host_write_binary', bytes: (content: string) => Uint8Array) =>
    (request: { path: string; content: string }, context: HostCallContext) =>
      serve(name, request, context, (path, check) => {
        // Existence picks the permission; a folder at the path fails the write, after the check.
        const existing = files.stat(path);
        return check(
          () => {
            if (existing?.kind === 'directory') throw notAFile(path);
            files.write(path, bytes(request.content));
            emit(existing === undefined ? 'file_created' : 'file_saved', path, context);
            return '';
          },
          () => (existing === undefined ? 'create_files' : 'edit_files'),
        );
      });

  /** Sorted, without the entries an exclude denies the plugin (exclude always wins, even in listings). */
  const listed = (paths: string[], context: HostCallContext): string => {
    const visible = paths.filter((target) => {
      const request = { pluginId: context.pluginId, type: 'read_files' as const, target };
      const decision = options.permissions.check(
        workspaceRoot === undefined ? request : { ...request, workspaceRoot },
      );
      return decision.outcome !== 'denied';
    });
    return JSON.stringify(visible.sort());
  };

  return {
    host_read_file: reader('host_read_file', (path) => {
      const bytes = files.read(path);
      try {
        return utf8.decode(bytes);
      } catch {
        return { failure: `${JSON.stringify(path)} is not valid UTF-8 text; read it with host_read_binary` };
      }
    }),
    host_read_binary: reader('host_read_binary', (path) =>
      JSON.stringify({ data: encodeBase64(files.read(path)) }),
    ),
    host_list_files: reader('host_list_files', (path, context) => listed(files.list(path), context)),
    host_list_dir: reader('host_list_dir', (path, context) => listed(files.listDir(path), context)),
    host_file_exists: reader('host_file_exists', (path) => String(files.stat(path) !== undefined)),
    host_file_metadata: reader('host_file_metadata', (path) => {
      const entry = files.stat(path);
      if (entry === undefined) return getHostFunction('host_file_metadata').quiet;
      const size_bytes = entry.kind === 'file' ? entry.sizeBytes : null;
      return JSON.stringify({ exists: true, size_bytes, modified_at_ms: Math.trunc(entry.modifiedAtMs) });
    }),
    host_hash_file: reader('host_hash_file', (path) => {
      if (files.stat(path)?.kind !== 'file') return getHostFunction('host_hash_file').quiet;
      return JSON.stringify({ hash: files.hash(path) });
    }),
    host_write_file: writer('host_write_file', (content) => encoder.encode(content)),
    host_write_binary: writer('host_write_binary', decodeBase64),
    host_delete_file: (request, context) =>
      serve('host_delete_file', request, context, (path, check) =>
        check(() => {
          files.delete(path);
          emit('file_deleted', path, context);
          return '';
        }),
      ),
  };
}

const notAFile = (path: string) =>
  new WorkspaceFileError({ reason: 'not_a_file', path, detail: 'it is a folder' });

/** Service failures become the function's failure answer; anything else is the host's internal error. */
function attempt(run: () => HostAnswer | Promise<HostAnswer>): HostAnswer | Promise<HostAnswer> {
  const onError = (error: unknown): HostAnswer => {
    if (WorkspaceFileError.isInstance(error)) return { failure: error.message };
    throw error;
  };
  try {
    const answer = run();
    return answer instanceof Promise ? answer.catch(onError) : answer;
  } catch (error) {
    return onError(error);
  }
}
