import { MAX_PLUGIN_COMMAND_DEPTH, type HostFunctionRequest } from '@plinth/protocol';
import type { HostCallContext } from '@plinth/host-kit';

/** A cross-plugin command refused by the rules: which rule, and the message the caller gets. */
export interface CrossPluginRefusal {
  reason: 'self_call' | 'call_depth' | 'call_cycle';
  message: string;
}

/**
 * Why a cross-plugin command must be refused before any permission check, or undefined when it may go
 * ahead: a plugin may not call itself, a chain may be at most MAX_PLUGIN_COMMAND_DEPTH calls deep, and no
 * call may go back into a plugin already waiting in the chain. Any host serving `host_plugin_command`
 * (the registry, a test harness) applies the same rules.
 */
export function crossPluginRefusal(
  request: HostFunctionRequest<'host_plugin_command'>,
  context: HostCallContext,
): CrossPluginRefusal | undefined {
  const caller = context.pluginId;
  const chain = context.callChain ?? [caller];
  if (request.plugin_id === caller) {
    return {
      reason: 'self_call',
      message: `plugin ${caller} may not call its own commands (${request.command})`,
    };
  }
  if (chain.length > MAX_PLUGIN_COMMAND_DEPTH) {
    const path = [...chain, request.plugin_id].join(' → ');
    return {
      reason: 'call_depth',
      message: `cross-plugin call depth limit of ${MAX_PLUGIN_COMMAND_DEPTH} reached: ${path}`,
    };
  }
  if (chain.includes(request.plugin_id)) {
    // Every plugin in the chain is waiting on this call; calling back into one would wait on itself
    // until the timeout whenever all its instances are busy in the chain (always, with one instance).
    const path = [...chain, request.plugin_id].join(' → ');
    return {
      reason: 'call_cycle',
      message: `cross-plugin call cycle refused: ${path} (${request.plugin_id} is waiting on this call)`,
    };
  }
  return undefined;
}
