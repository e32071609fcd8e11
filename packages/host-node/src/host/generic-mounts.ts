import { realpathSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { createPolicyChecker } from '@plinth/permissions';
import type { PermissionType, Policy } from '@plinth/protocol';
import { MOUNT_PERMISSIONS, requestedMounts, type ExtismDescription } from '../directory/generic-plugin.js';
import type { HostPaths } from '../fs/host-paths.js';
import { insideWorkspace } from './host-files.js';

/** A folder a generic plugin gets for WASI, and why it got it as it did (for the log). */
export interface GrantedMount {
  hostPath: string;
  guestPath: string;
  readOnly: boolean;
  note: string;
}

export interface MountDecision {
  mounts: GrantedMount[];
  /** Requested folders it does not get, with why. */
  refused: string[];
}

const realOf = (path: string): string | undefined => {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
};

/** `inner` is `outer` or lies inside it (both real paths). */
const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer + sep);

/**
 * The WASI folders a generic plugin gets now: each one its `extism.json` asks for, inside the workspace,
 * as far as the policy grants the file permissions on that whole folder (read-write needs reading,
 * editing, creating and deleting; reading alone mounts it read-only), never a folder holding one of the
 * host's hidden paths (plugins root, database, …), and read-only when it holds a read-only one (the
 * policy file). The policy is read without recording denials: this is not a plugin's request.
 */
export function grantedMounts(options: {
  pluginId: string;
  description: ExtismDescription;
  policy: Policy;
  workspaceRoot: string;
  fileRules: Required<HostPaths>;
}): MountDecision {
  const checker = createPolicyChecker({ policy: options.policy });
  const allows = (type: PermissionType, folder: string) =>
    checker.check({ pluginId: options.pluginId, type, target: folder }).allowed;
  const hidden = (options.fileRules.hidden ?? []).map(realOf).filter((path) => path !== undefined);
  const readOnlyFiles = (options.fileRules.readOnly ?? []).map(realOf).filter((path) => path !== undefined);
  const decision: MountDecision = { mounts: [], refused: [] };
  for (const mount of requestedMounts(options.description)) {
    const hostPath = resolve(options.workspaceRoot, mount.folder);
    const relative = insideWorkspace(options.workspaceRoot, hostPath);
    const real = realOf(hostPath);
    const isFolder = real !== undefined && statSync(real).isDirectory();
    if (relative === undefined || real === undefined || !isFolder) {
      decision.refused.push(`${mount.folder}: not a folder inside the workspace`);
      continue;
    }
    if (hidden.some((path) => within(path, real) || within(real, path))) {
      decision.refused.push(`${mount.folder}: it holds files of the host's own that plugins never see`);
      continue;
    }
    const target = relative === '' ? '.' : relative;
    if (!allows('read_files', target)) {
      decision.refused.push(`${mount.folder}: the policy does not grant read_files on it`);
      continue;
    }
    const writable = !mount.readOnly && MOUNT_PERMISSIONS.readWrite.every((type) => allows(type, target));
    const holdsReadOnly = readOnlyFiles.some((path) => within(path, real));
    const readOnly = !writable || holdsReadOnly;
    const note = mount.readOnly
      ? 'read-only, as asked'
      : holdsReadOnly
        ? 'read-only: it holds the policy file'
        : writable
          ? 'read-write'
          : 'read-only: the policy grants reading only';
    decision.mounts.push({ hostPath: real, guestPath: mount.guestPath, readOnly, note });
  }
  return decision;
}

/** The mounts as Extism's manifest takes them: host folder (`ro:` for read-only) → guest path. */
export function allowedPathsOf(mounts: readonly GrantedMount[]): Record<string, string> {
  return Object.fromEntries(
    mounts.map((mount) => [`${mount.readOnly ? 'ro:' : ''}${mount.hostPath}`, mount.guestPath]),
  );
}
