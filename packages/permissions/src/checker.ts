import type { PermissionType } from '@plinth/protocol';
import {
  makeDecision,
  type DecisionOutcome,
  type DecisionReason,
  type PermissionDecision,
} from './decision.js';
import { normalizeTarget } from './normalize-target.js';
import { isPermissionType } from './permission-kinds.js';

/** One permission check. */
export interface CheckRequest {
  pluginId: string;
  type: PermissionType;
  /** The target as the host function derived it (`permission.target(request)` in the catalogue). */
  target: string;
  /** Absolute workspace root: absolute file targets inside it are made relative, those outside denied. */
  workspaceRoot?: string;
  /** What asks, for the record: e.g. the host function making the check (`host_read_file`). */
  via?: string;
}

/**
 * Decides permission checks. `check` is synchronous and never asks anyone; `checkAsync` may wait for an
 * answer (the ask checker) and otherwise returns what `check` would. Neither throws.
 */
export interface PermissionChecker {
  /** Decides at once; a question to the user counts as not configured. */
  check(request: CheckRequest): PermissionDecision;
  /** Decides, waiting for the user's answer where the checker asks one. */
  checkAsync(request: CheckRequest): Promise<PermissionDecision>;
}

/** The target after normalization, or the decision that refuses it outright. */
export type PreparedTarget = { ok: true; normalized: string } | { ok: false; decision: PermissionDecision };

/** Normalizes the request's target; an unknown type or a refused target is denied before any rule is read. */
export function prepareTarget(request: CheckRequest): PreparedTarget {
  const { pluginId, type, target, workspaceRoot } = request;
  if (!isPermissionType(type)) {
    const decision = makeDecision({
      outcome: 'denied',
      permission: type,
      pluginId,
      target,
      normalizedTarget: null,
      reason: 'unknown_permission',
      detail: `"${String(type)}" is not a permission type`,
    });
    return { ok: false, decision };
  }
  const normalized = normalizeTarget(type, target, workspaceRoot);
  if (normalized.ok) return { ok: true, normalized: normalized.value };
  const decision = makeDecision({
    outcome: 'denied',
    permission: type,
    pluginId,
    target,
    normalizedTarget: null,
    reason: 'invalid_target',
    detail: `target ${normalized.problem}`,
  });
  return { ok: false, decision };
}

/** A decision that involves no rule (deny-all, allow-all, invalid policy). */
export function plainDecision(
  request: CheckRequest,
  normalizedTarget: string,
  outcome: DecisionOutcome,
  reason: DecisionReason,
  detail?: string,
): PermissionDecision {
  return makeDecision({
    outcome,
    permission: request.type,
    pluginId: request.pluginId,
    target: request.target,
    normalizedTarget,
    reason,
    detail,
  });
}

/** Builds the async half of a checker whose decisions are all synchronous. */
export const syncChecker = (check: (request: CheckRequest) => PermissionDecision): PermissionChecker => ({
  check: (request) => withVia(check(request), request),
  checkAsync: async (request) => withVia(check(request), request),
});

/** The decision, carrying the request's `via` when it names one. */
export function withVia(decision: PermissionDecision, request: CheckRequest): PermissionDecision {
  if (request.via !== undefined && decision.via === undefined) decision.via = request.via;
  return decision;
}
