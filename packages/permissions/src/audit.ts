import type { PermissionDecision } from './decision.js';

/** Receives every decision a checker makes (allowed ones too). Must not throw; if it does, the throw is ignored. */
export type AuditSink = (decision: PermissionDecision) => void;

/** Hands a decision to the sink. A broken sink must not turn a denial into a crash of the host function. */
export function emitAudit(sink: AuditSink | undefined, decision: PermissionDecision): PermissionDecision {
  if (sink !== undefined) {
    try {
      sink(decision);
    } catch {
      // A sink's failure is the sink's problem: the decision stands.
    }
  }
  return decision;
}

/** Collects decisions in memory: for tests and for hosts that flush audit records in batches. */
export function createMemoryAuditSink(): AuditSink & {
  readonly decisions: readonly PermissionDecision[];
  /** Forgets the decisions collected so far. */
  clear(): void;
} {
  const decisions: PermissionDecision[] = [];
  const sink = (decision: PermissionDecision): void => {
    decisions.push(decision);
  };
  return Object.assign(sink, {
    decisions,
    clear: () => {
      decisions.length = 0;
    },
  });
}
