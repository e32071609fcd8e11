import type { AuditSink, PermissionChecker, PermissionDecision } from '@plinth/permissions';
import { emitAudit } from '@plinth/permissions';
import {
  checkOptions,
  getHostFunction,
  type HostFunctionName,
  type HostFunctionRequest,
  type PermissionType,
} from '@plinth/protocol';
import type { HostAnswer, HostCallContext } from './host-bundle.js';
import { permissionGateOptionsSchema } from '../options/capability-options.js';
import { recordDenial } from '../telemetry/call-trace.js';

/** How a capability bundle checks permissions before any I/O. Shared by every bundle. */
export interface PermissionGateOptions {
  permissions: PermissionChecker;
  /** Absolute workspace root, so absolute file targets inside it are made relative (others denied). */
  workspaceRoot?: string | undefined;
  /**
   * Use the checker's `checkAsync`, which may ask the user (the ask checker). Handlers then answer
   * promises, which only the isolated lane can await; leave it off for the in-thread lane.
   */
  ask?: boolean | undefined;
  /** Receives the denials of quiet (`Q`) functions, whose guest-visible answer carries no message. */
  audit?: AuditSink | undefined;
}

/**
 * The permission checks of a capability bundle, with denials counted, traced and (for quiet functions)
 * audited the same way everywhere.
 */
export interface PermissionGate {
  /**
   * Decides one check; a promise only when `ask` is set. A refusal is counted in the
   * `plinth.permission.denials` metric (with `functionName`, when given) and marks the traced host call.
   */
  decide(
    type: PermissionType,
    target: string,
    context: HostCallContext,
    functionName?: HostFunctionName,
  ): PermissionDecision | Promise<PermissionDecision>;
  /**
   * Checks `type` on `target` for the calling plugin, then runs `proceed`; a refusal becomes the
   * function's failure answer (the quiet answer, audited, for `Q` functions).
   */
  guard(
    name: HostFunctionName,
    type: PermissionType,
    target: string,
    context: HostCallContext,
    proceed: () => HostAnswer | Promise<HostAnswer>,
  ): HostAnswer | Promise<HostAnswer>;
  /**
   * `guard` with the permission the catalogue gives the function and the target it derives from the
   * request; a request the catalogue needs no check for (or a function without one) proceeds at once.
   * Where the catalogue lists several types (writes: `edit_files` or `create_files`), `choose` picks one
   * from what the bundle knows (whether the file exists); a missing choice, or one the catalogue does not
   * list, is a setup mistake and throws.
   */
  guardRequest<N extends HostFunctionName>(
    name: N,
    request: HostFunctionRequest<N>,
    context: HostCallContext,
    proceed: () => HostAnswer | Promise<HostAnswer>,
    choose?: (types: readonly PermissionType[]) => PermissionType,
  ): HostAnswer | Promise<HostAnswer>;
}

/**
 * A permission gate for a bundle of the app's own; throws an OptionsError (`invalid_options`) on bad options.
 */
export function createPermissionGate(options: PermissionGateOptions): PermissionGate {
  checkOptions('createPermissionGate', permissionGateOptionsSchema, options);
  return permissionGate(options);
}

/** `createPermissionGate` for the bundles, whose own options (a superset of these) are checked already. */
export function permissionGate(options: PermissionGateOptions): PermissionGate {
  const { permissions, workspaceRoot, ask = false, audit } = options;
  const observe = (
    decision: PermissionDecision,
    type: PermissionType,
    target: string,
    context: HostCallContext,
    functionName: HostFunctionName | undefined,
  ): PermissionDecision => {
    if (!decision.allowed) recordDenial(context, { type, target, functionName });
    return decision;
  };
  const decide: PermissionGate['decide'] = (type, target, context, functionName) => {
    const request = {
      pluginId: context.pluginId,
      type,
      target,
      ...(workspaceRoot === undefined ? {} : { workspaceRoot }),
      ...(functionName === undefined ? {} : { via: functionName }),
    };
    if (!ask) return observe(permissions.check(request), type, target, context, functionName);
    return permissions
      .checkAsync(request)
      .then((decision) => observe(decision, type, target, context, functionName));
  };
  const refuse = (name: HostFunctionName, decision: PermissionDecision): HostAnswer => {
    const spec = getHostFunction(name);
    if (spec.failure === 'Q') {
      emitAudit(audit, decision);
      return spec.quiet;
    }
    return { failure: decision.message };
  };
  const guard: PermissionGate['guard'] = (name, type, target, context, proceed) =>
    andThen(decide(type, target, context, name), (decision) =>
      decision.allowed ? proceed() : refuse(name, decision),
    );
  return {
    decide,
    guard,
    guardRequest(name, request, context, proceed, choose) {
      // Widened once here: each catalogue entry types its own request, and this serves them all.
      const check = getHostFunction(name).permission as {
        types: readonly PermissionType[];
        target: (request: unknown) => string | null;
      } | null;
      const target = check?.target(request);
      if (check === null || target === null || target === undefined) return proceed();
      return guard(name, permissionTypeOf(name, check.types, choose), target, context, proceed);
    },
  };
}

/** The one type of a check: the only one listed, or the one `choose` picks among several. */
function permissionTypeOf(
  name: HostFunctionName,
  types: readonly PermissionType[],
  choose: ((types: readonly PermissionType[]) => PermissionType) | undefined,
): PermissionType {
  if (choose === undefined) {
    if (types.length === 1) return types[0] as PermissionType;
    throw new TypeError(`${name} checks one of ${types.join(', ')}: the bundle must choose`);
  }
  const chosen = choose(types);
  if (!types.includes(chosen)) {
    throw new TypeError(`${name} checks one of ${types.join(', ')}, not ${chosen}`);
  }
  return chosen;
}

/**
 * Continues with a value that may or may not be a promise, staying synchronous when it is not. (Not named
 * `then`: a module exporting `then` is a thenable, and `await import()` of it would call it.)
 */
export function andThen<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
