import { PolicyError } from '@plinth/permissions';
import type { ProtocolIssue } from '@plinth/protocol';

const MARKER = Symbol.for('plinth.policy-file-error');

/**
 * A policy file that cannot be used: unreadable, not YAML/JSON, bad front matter, or a policy that fails
 * the schema. A `PolicyError` (code `invalid_policy`) whose message starts with the file and whose issues
 * name the field.
 */
export class PolicyFileError extends PolicyError {
  readonly [MARKER] = true;
  readonly file: string;

  constructor(options: { file: string; issues: readonly ProtocolIssue[]; cause?: unknown }) {
    super({ issues: options.issues, ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.name = 'PolicyFileError';
    this.file = options.file;
    this.message = `${options.file}: ${this.message}`;
  }

  static override isInstance(value: unknown): value is PolicyFileError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}

/** A problem with the file as a whole (its syntax, its front matter), not with one policy field. */
export const fileProblem = (file: string, message: string, cause?: unknown): PolicyFileError =>
  new PolicyFileError({ file, issues: [{ path: [], message }], ...(cause === undefined ? {} : { cause }) });
