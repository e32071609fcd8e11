import { formatPath, PlinthError, type ProtocolIssue, type ProtocolWarning } from '@plinth/protocol';

const MARKER = Symbol.for('plinth.policy-error');

export interface PolicyErrorOptions {
  issues: readonly ProtocolIssue[];
  cause?: unknown;
}

/** Names the plugin and permission an issue path points into (`plugins.<id>.permissions.<type>…`). */
export function locateIssue(path: readonly (string | number)[]): { pluginId?: string; permission?: string } {
  const [root, pluginId, section, permission] = path;
  const located: { pluginId?: string; permission?: string } = {};
  if (root === 'plugins' && typeof pluginId === 'string') {
    located.pluginId = pluginId;
    if (section === 'permissions' && typeof permission === 'string') located.permission = permission;
  }
  return located;
}

/** One issue in words: `plugin 'acme.x', read_files: at …include[1]: expected string, got number 3`. */
export function describeIssue(issue: ProtocolIssue | ProtocolWarning): string {
  const { pluginId, permission } = locateIssue(issue.path);
  const where = [pluginId === undefined ? undefined : `plugin '${pluginId}'`, permission]
    .filter(Boolean)
    .join(', ');
  const at = `at ${formatPath(issue.path)}: ${issue.message}`;
  return where === '' ? at : `${where}: ${at}`;
}

/**
 * A policy document that does not satisfy the protocol's policy schema. The message names the plugin, the
 * permission and what was wrong; `pluginId` and `permission` are those of the first issue.
 */
export class PolicyError extends PlinthError {
  readonly [MARKER] = true;
  readonly issues: readonly ProtocolIssue[];
  readonly permission: string | undefined;

  constructor(options: PolicyErrorOptions) {
    const first = options.issues[0];
    const located = first === undefined ? {} : locateIssue(first.path);
    const lines = options.issues.slice(0, 5).map(describeIssue);
    const more = options.issues.length > 5 ? `; and ${options.issues.length - 5} more` : '';
    super('invalid_policy', `Invalid permission policy: ${lines.join('; ') || 'unknown problem'}${more}`, {
      ...(located.pluginId === undefined ? {} : { pluginId: located.pluginId }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'PolicyError';
    this.issues = options.issues;
    this.permission = located.permission;
  }

  /** Path of the first offending field, e.g. `["plugins", "acme.x", "permissions", "read_files", "include"]`. */
  get path(): readonly (string | number)[] {
    return this.issues[0]?.path ?? [];
  }

  static override isInstance(value: unknown): value is PolicyError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
