import type { PermissionChecker } from '@plinth/permissions';
import { checkOptions, type JsonValue } from '@plinth/protocol';
import { createPermissionGate, type HostAnswer, type HostBundle } from '@plinth/host-kit';
import { crossPluginRefusal, type CrossPluginRefusal as RefusalByRule } from '@plinth/runtime';
import { pluginCommandBundleOptionsSchema } from '../testkit-options.js';
import type { PluginHarness } from './plugin-harness.js';

/** A fake plugin behind `host_plugin_command`; `context.callChain` ends with the neighbour's own id. */
export type HarnessNeighbour = (
  command: string,
  params: JsonValue | null,
  context: { readonly callChain: readonly string[] },
) => JsonValue | Promise<JsonValue> | { error: string };

/** Why the harness refused a cross-plugin call before it reached any neighbour. */
export interface CrossPluginRefusal extends RefusalByRule {
  /** The calling plugin. */
  pluginId: string;
  target: string;
  command: string;
  /** The chain including the refused call, outermost first. */
  chain: string[];
}

/** Makes another harness a neighbour: its command runs in the caller's chain, its failure is `{ error }`. */
export function harnessNeighbour(other: PluginHarness): HarnessNeighbour {
  return async (command, params, { callChain }) => {
    const response = await other.command(command, params, { callChain });
    return response.success ? (response.data ?? null) : { error: response.error ?? `${command} failed` };
  };
}

const isErrorAnswer = (value: unknown): value is { error: string } =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  typeof (value as { error?: unknown }).error === 'string' &&
  Object.keys(value).length === 1;

/**
 * What `createPluginCommandBundle` needs: the permission checker, the fake plugins it may call, and who hears
 * refusals.
 */
export interface PluginCommandBundleOptions {
  permissions: PermissionChecker;
  neighbours: Readonly<Record<string, HarnessNeighbour>>;
  /**
   * Told each call refused for its chain (a self-call, the depth limit, a cycle) before any permission check.
   */
  onRefusal: (refusal: CrossPluginRefusal) => void;
}

/**
 * `host_plugin_command` with the registry's rules and wording (PluginRegistry.invokeFromPlugin): no
 * self-calls, at most MAX_PLUGIN_COMMAND_DEPTH nested calls, no cycles, then `execute_commands` on
 * `"<plugin_id>:<command>"` through the permission gate, so the decision is recorded on the call.
 * Synchronous unless a neighbour answers a promise (isolated lane only).
 */
export function createPluginCommandBundle(options: PluginCommandBundleOptions): HostBundle {
  checkOptions('createPluginCommandBundle', pluginCommandBundleOptionsSchema, options);
  const { neighbours, onRefusal } = options;
  const gate = createPermissionGate({ permissions: options.permissions });
  return {
    host_plugin_command: (request, context) => {
      const caller = context.pluginId;
      const chain = context.callChain ?? [caller];
      const target = request.plugin_id;
      const refusal = crossPluginRefusal(request, context);
      if (refusal !== undefined) {
        onRefusal({
          ...refusal,
          pluginId: caller,
          target,
          command: request.command,
          chain: [...chain, target],
        });
        return { failure: refusal.message };
      }
      return gate.guardRequest('host_plugin_command', request, context, () => {
        const neighbour = Object.hasOwn(neighbours, target) ? neighbours[target] : undefined;
        if (neighbour === undefined) return { failure: `plugin ${target} is not loaded in this harness` };
        const settle = (answer: JsonValue | { error: string }): HostAnswer =>
          isErrorAnswer(answer) ? { failure: answer.error } : JSON.stringify({ success: true, data: answer });
        const failed = (error: unknown): HostAnswer => ({
          failure: error instanceof Error ? error.message : String(error),
        });
        try {
          const answer = neighbour(request.command, request.params, { callChain: [...chain, target] });
          return answer instanceof Promise ? answer.then(settle, failed) : settle(answer);
        } catch (error) {
          return failed(error);
        }
      });
    },
  };
}
