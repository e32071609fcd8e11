import {
  addGrant,
  removeGrant,
  createPolicyChecker,
  isPermissionType,
  type PermissionChecker,
  type PermissionDecision,
} from '@plinth/permissions';
import {
  isCanonicalPluginId,
  PlinthError,
  type GuestManifest,
  type PermissionType,
  type Policy,
} from '@plinth/protocol';
import {
  applyManifestDefaults,
  policyFromFile,
  policyFromFrontMatter,
  type PolicyFileSource,
} from '../policy/index.js';
import type { NodeHostLogEntry, NodeHostOptions } from './node-host-types.js';

export const DEFAULT_DENIALS_KEPT = 500;

export interface HostPolicyOptions {
  policy: NodeHostOptions['policy'];
  watch: boolean;
  denialsKept: number;
  log: (entry: NodeHostLogEntry) => void;
  /** After the policy file changed on disk (an edit by hand, or another process). */
  onChange?: () => void;
}

/** The host's policy file, the checker reading it, the denials it made, and grant/revoke writing it back. */
export interface HostPolicy {
  readonly source: PolicyFileSource;
  readonly checker: PermissionChecker;
  current(): Policy;
  denials(): readonly PermissionDecision[];
  grant(pluginId: string, permission: PermissionType, scope: string): Promise<void>;
  revoke(pluginId: string, permission: PermissionType, scope?: string): Promise<void>;
  /** Fills the rules a newly installed plugin asks for that the user has not set; saves only on change. */
  applyDefaults(manifest: Pick<GuestManifest, 'id' | 'requested_permissions'>): Promise<PermissionType[]>;
  close(): Promise<void>;
}

export async function openHostPolicy(options: HostPolicyOptions): Promise<HostPolicy> {
  const { log } = options;
  const sourceOptions = {
    watch: options.watch,
    onChange: () => {
      log({ level: 'info', source: 'permissions', message: 'policy changed' });
      options.onChange?.();
    },
    onError: (error: Error) =>
      log({
        level: 'warn',
        source: 'permissions',
        message: `policy not reloaded, the last good one stays in effect: ${error.message}`,
      }),
  };
  const source =
    'file' in options.policy
      ? await policyFromFile(options.policy.file, sourceOptions)
      : await policyFromFrontMatter(options.policy.frontMatter, sourceOptions);

  const denials: PermissionDecision[] = [];
  const checker = createPolicyChecker({
    policy: source,
    audit: (decision) => {
      if (decision.allowed) return;
      denials.push(decision);
      if (denials.length > options.denialsKept) denials.splice(0, denials.length - options.denialsKept);
      log({
        level: 'warn',
        source: 'permissions',
        pluginId: decision.pluginId,
        message: decision.message,
        detail: {
          permission: decision.permission,
          target: decision.target,
          outcome: decision.outcome,
          reason: decision.reason,
        },
      });
    },
    onPolicyError: (error) =>
      log({ level: 'error', source: 'permissions', message: `the policy is invalid: ${error.message}` }),
  });

  // Edits are serialized so two grants never read the same old policy and lose one of them.
  let edits: Promise<unknown> = Promise.resolve();
  const edit = (change: (policy: Policy) => Policy): Promise<Policy> => {
    const run = edits.then(async () => {
      const before = source.current().policy;
      const after = change(before);
      if (after !== before) await source.save(after);
      return after;
    });
    edits = run.catch(() => undefined);
    return run;
  };

  return {
    source,
    checker,
    current: () => source.current().policy,
    denials: () => [...denials],
    async grant(pluginId, permission, scope) {
      checkEdit('grant', pluginId, permission);
      if (typeof scope !== 'string' || scope.trim() === '') {
        throw new PlinthError('invalid_policy', `grant: the scope for ${pluginId} ${permission} is empty`, {
          pluginId,
        });
      }
      await edit((policy) => addGrant(policy, { pluginId, permission, scope }));
    },
    async revoke(pluginId, permission, scope) {
      checkEdit('revoke', pluginId, permission);
      await edit((policy) => removeGrant(policy, { pluginId, permission, scope }));
    },
    async applyDefaults(manifest) {
      let added: PermissionType[] = [];
      await edit((policy) => {
        const result = applyManifestDefaults(policy, manifest);
        added = result.added;
        return result.added.length === 0 ? policy : result.policy;
      });
      return added;
    },
    close: async () => {
      await edits;
      await source.close();
    },
  };
}

function checkEdit(what: string, pluginId: string, permission: string): void {
  if (!isCanonicalPluginId(pluginId)) {
    throw new PlinthError('invalid_plugin_id', `${what}: ${JSON.stringify(pluginId)} is not a plugin id`);
  }
  if (!isPermissionType(permission)) {
    throw new PlinthError(
      'invalid_policy',
      `${what}: ${JSON.stringify(permission)} is not a permission type (for plugin ${pluginId})`,
      { pluginId },
    );
  }
}
