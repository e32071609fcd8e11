import { PlinthError, type PlinthErrorOptions, type PROTOCOL_ERROR_CODES } from './plinth-error.js';

/** A code a ProtocolError may carry (one of PROTOCOL_ERROR_CODES). */
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

/** One thing wrong with a payload: where, and what. */
export interface ProtocolIssue {
  /** Path of the offending field from the payload root, e.g. `["commands", 2]`. Empty for the root. */
  path: readonly (string | number)[];
  message: string;
}

export interface ProtocolErrorOptions extends PlinthErrorOptions {
  /** Name of the payload being parsed, e.g. `GuestManifest` or `host_write_file request`. */
  payload: string;
  issues: readonly ProtocolIssue[];
}

const MARKER = Symbol.for('plinth.protocol-error');

/** A payload that does not satisfy protocol v1. The message names the payload, the field and the rule. */
export class ProtocolError extends PlinthError {
  readonly [MARKER] = true;
  declare readonly code: ProtocolErrorCode;
  readonly payload: string;
  readonly issues: readonly ProtocolIssue[];

  constructor(code: ProtocolErrorCode, options: ProtocolErrorOptions) {
    const { payload, issues, ...rest } = options;
    super(code, formatMessage(payload, issues), rest);
    this.name = 'ProtocolError';
    this.payload = payload;
    this.issues = issues;
  }

  /** Path of the first offending field. */
  get path(): readonly (string | number)[] {
    return this.issues[0]?.path ?? [];
  }

  static override isInstance(value: unknown): value is ProtocolError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}

/** Renders a path the way an author would write it in JSON: `commands[2]`, `requested_permissions.defaults`. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function formatMessage(payload: string, issues: readonly ProtocolIssue[]): string {
  if (issues.length === 0) return `Invalid ${payload}`;
  const lines = issues.slice(0, 5).map((issue) => `at ${formatPath(issue.path)}: ${issue.message}`);
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
  return `Invalid ${payload}: ${lines.join('; ')}${more}`;
}
