import { CompiledPolicy } from './compiled-policy.js';
import { PolicyError } from './policy-error.js';

/** Something that knows the current policy. Called on every check, so it must be cheap. */
export interface PolicyProvider {
  /** The current policy: a decoded document, a typed `Policy`, or a `CompiledPolicy`. */
  current(): unknown;
}

/**
 * Where a checker reads its policy: a fixed document, a `CompiledPolicy`, a provider, or a function
 * returning the current document. A provider that returns the same object returns the same policy:
 * compilation is cached by object identity, so replace the object (never mutate it) to change the policy.
 */
export type PolicySource = PolicyProvider | (() => unknown) | CompiledPolicy | object;

/** Reads a source into a function answering the current compiled policy, or the error that stops it. */
export function policyReader(source: PolicySource): () => CompiledPolicy | PolicyError {
  const current: () => unknown =
    typeof source === 'function'
      ? (source as () => unknown)
      : isProvider(source)
        ? () => source.current()
        : () => source;
  let lastDocument: unknown = undefined;
  let lastResult: CompiledPolicy | PolicyError | undefined;
  return () => {
    const document = current();
    if (lastResult !== undefined && document === lastDocument) return lastResult;
    lastDocument = document;
    lastResult = compileOrError(document);
    return lastResult;
  };
}

function compileOrError(document: unknown): CompiledPolicy | PolicyError {
  try {
    return CompiledPolicy.compile(document);
  } catch (error) {
    if (PolicyError.isInstance(error)) return error;
    return new PolicyError({ issues: [{ path: [], message: String(error) }], cause: error });
  }
}

const isProvider = (value: unknown): value is PolicyProvider =>
  typeof value === 'object' &&
  value !== null &&
  !(value instanceof CompiledPolicy) &&
  typeof (value as PolicyProvider).current === 'function';

/**
 * A policy that can be replaced while checkers run: `set` validates and compiles the new document and keeps
 * the previous one if it is malformed (throwing the `PolicyError`). Give it to a policy checker as source.
 */
export class PolicyStore implements PolicyProvider {
  private compiled: CompiledPolicy;
  private revision = 0;

  constructor(initial: unknown = { plugins: {} }) {
    this.compiled = CompiledPolicy.compile(initial);
  }

  current(): CompiledPolicy {
    return this.compiled;
  }

  /** How many times the policy was replaced. */
  get version(): number {
    return this.revision;
  }

  /** Replaces the policy. Throws `PolicyError` (and keeps the current policy) if the document is malformed. */
  set(document: unknown): CompiledPolicy {
    this.compiled = CompiledPolicy.compile(document);
    this.revision += 1;
    return this.compiled;
  }
}
