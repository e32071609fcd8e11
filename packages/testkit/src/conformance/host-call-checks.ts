import { isFilePermission, normalizeFilePath } from '@plinth/permissions';
import { getHostFunction, STORAGE_QUOTA, type GuestManifest } from '@plinth/protocol';
import type { LoadedMemory } from '@plinth/runtime';
import type { CrossPluginRefusal } from '../harness/plugin-command.js';
import type { HarnessCall, TranscriptHostCall } from '../harness/transcript.js';
import { MEMORY_WORKSPACE_ROOT } from '../twins/files.js';
import type { CheckRecorder } from './report.js';
import type { LimitHit } from './session.js';

/** Storage-like functions whose written value counts against the `plugin_storage` quota. */
const QUOTA_FIELDS: Readonly<Record<string, string>> = {
  host_storage_set: 'data',
  host_namespace_put_object: 'body_base64',
};

const base64Size = (text: string): number => Math.floor((text.replace(/=+$/, '').length * 3) / 4);

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a file request leaves the workspace (`..`, encoded traversal, an absolute path outside it), using
 * the catalogue's target and the permission engine's normalization; the bundle refuses such a path
 * before any permission check, so no decision records it.
 */
function pathEscape(call: TranscriptHostCall): { target: string; problem: string } | undefined {
  const spec = getHostFunction(call.function);
  const type = spec?.permission?.types[0];
  if (!spec?.permission || type === undefined || !isFilePermission(type)) return undefined;
  const decoded = spec.decodeRequest(call.input);
  if (!decoded.ok) return undefined;
  // Widened once: each catalogue entry types its own request.
  const derive = spec.permission.target as (request: unknown) => string | null;
  const target = derive(decoded.value);
  if (target === null) return undefined;
  const normalized = normalizeFilePath(target, MEMORY_WORKSPACE_ROOT);
  return normalized.ok ? undefined : { target, problem: normalized.problem };
}

/** The command of a `host_plugin_command` call aimed at the calling plugin itself, if it is one. */
function selfCallCommand(call: TranscriptHostCall): string | undefined {
  if (call.function !== 'host_plugin_command') return undefined;
  const decoded = getHostFunction('host_plugin_command').decodeRequest(call.input);
  return decoded.ok && decoded.value.plugin_id === call.pluginId ? decoded.value.command : undefined;
}

/**
 * Every host call of the run, judged against the default policy (the manifest's requested defaults):
 * refused permissions, requests the host refused as malformed, values over the storage quota, host
 * limits, calls to the plugin's own commands and cross-plugin chains refused for depth or a cycle are
 * errors; functions the conformance host does not provide are warnings.
 */
export function checkHostCalls(
  calls: readonly TranscriptHostCall[],
  manifest: GuestManifest,
  check: CheckRecorder,
  refusals: readonly CrossPluginRefusal[] = [],
): void {
  const seen = new Set<string>();
  const once = (key: string): boolean => !seen.has(key) && Boolean(seen.add(key));
  const quotaRule = manifest.requested_permissions?.defaults.plugin_storage?.quota_bytes;
  const quota = quotaRule ?? STORAGE_QUOTA.defaultBytes;
  for (const call of calls) {
    const during = `during ${call.exportName || 'load'}`;
    for (const decision of call.decisions) {
      if (decision.allowed || !once(`perm ${call.function} ${decision.permission} ${decision.target}`))
        continue;
      check.error(
        'permission_denied',
        `${call.function} needs ${decision.permission} on '${decision.target}' ${during}, outside the requested permissions: ${decision.message}`,
        {
          function: call.function,
          permission: decision.permission,
          target: decision.target,
          export: call.exportName,
        },
      );
    }
    const selfCommand = selfCallCommand(call);
    if (selfCommand !== undefined && once(`self ${selfCommand}`)) {
      check.error(
        'self_call',
        `host_plugin_command called the plugin's own command "${selfCommand}" ${during}; a plugin may not call itself, so a host refuses it`,
        { function: call.function, command: selfCommand, export: call.exportName },
      );
    }
    const escape = pathEscape(call);
    if (escape && once(`escape ${call.function} ${escape.target}`)) {
      check.error(
        'path_escape',
        `${call.function} asked for '${escape.target}' ${during}, which is not a path inside the workspace (${escape.problem})`,
        { function: call.function, target: escape.target, export: call.exportName },
      );
    }
    if (call.outcome === 'invalid_input' && once(`invalid ${call.function} ${call.output}`)) {
      check.error(
        'invalid_host_call',
        `${call.function} refused the request ${during} as invalid: ${call.output}`,
        { function: call.function, input: call.input.slice(0, 200), export: call.exportName },
      );
    }
    if (call.outcome === 'limit' && once(`limit ${call.function}`)) {
      check.error('host_call_limit', `${call.function} hit a host limit ${during}: ${call.output}`, {
        function: call.function,
        export: call.exportName,
      });
    }
    if (call.outcome === 'not_available' && once(`unavailable ${call.function}`)) {
      check.warning(
        'host_function_unavailable',
        `${call.function} is not provided by the conformance host (it answered "not available") ${during}`,
        { function: call.function },
      );
    }
    const field = QUOTA_FIELDS[call.function];
    if (field !== undefined && call.outcome === 'failure' && quota !== STORAGE_QUOTA.unlimited) {
      const value = parseObject(call.input)?.[field];
      const size = typeof value === 'string' ? base64Size(value) : 0;
      if (size > quota && once(`quota ${call.function}`)) {
        check.error(
          'quota_exceeded',
          `${call.function} wrote a value of ${size} bytes ${during}, over the plugin_storage quota of ${quota} bytes`,
          { function: call.function, permission: 'plugin_storage', size, quota },
        );
      }
    }
  }
  for (const refusal of refusals) {
    if (refusal.reason === 'self_call' || !once(`chain ${refusal.chain.join(' ')}`)) continue;
    check.error(
      'call_depth',
      `host_plugin_command from ${refusal.pluginId} to ${refusal.target}:${refusal.command} was refused (${refusal.reason === 'call_cycle' ? 'the chain calls back into a plugin waiting on it' : 'the chain is too deep'}): ${refusal.message}`,
      {
        function: 'host_plugin_command',
        reason: refusal.reason,
        chain: refusal.chain,
        command: refusal.command,
      },
    );
  }
}

export interface BudgetFacts {
  memory: LoadedMemory;
  memoryMaxPages: number;
  callTimeoutMs: number;
  fuelPerCall: number;
  lane: 'in-thread' | 'isolated';
  limitHits: readonly LimitHit[];
  /** The guest calls of the run; the first call of each command gives its fuel. */
  calls: readonly HarnessCall[];
}

const pagesText = (pages: number): string => `${pages} pages (${(pages * 64) / 1024} MiB)`;

export function checkBudgets(facts: BudgetFacts, check: CheckRecorder): void {
  const { memory, memoryMaxPages } = facts;
  if (memory.declaredMax === undefined) {
    check.error(
      'memory_unbounded',
      `the module declares no memory maximum; the loader ${memory.action === 'capped' ? 'capped it' : 'left it'} (${memory.reason}). Declare a maximum within ${pagesText(memoryMaxPages)}`,
      { declaredMax: null, effectiveMax: memory.effectiveMax ?? null, action: memory.action },
    );
  } else if (memory.declaredMax > memoryMaxPages) {
    check.error(
      'memory_too_large',
      `the module declares a memory maximum of ${pagesText(memory.declaredMax)}, above the budget of ${pagesText(memoryMaxPages)}; the loader ${memory.action === 'capped' ? 'capped it' : 'left it'} (${memory.reason})`,
      { declaredMax: memory.declaredMax, effectiveMax: memory.effectiveMax ?? null, action: memory.action },
    );
  } else {
    check.info(
      'memory',
      `the module declares a memory maximum of ${pagesText(memory.declaredMax)}, within the budget of ${pagesText(memoryMaxPages)}`,
      { declaredMax: memory.declaredMax, action: memory.action },
    );
  }
  const { fuelPerCall, callTimeoutMs } = facts;
  check.info(
    'lane',
    facts.lane === 'in-thread'
      ? `the plugin ran metered on the in-thread lane, so fuel enforced the call budget of ${fuelPerCall} fuel (the ${callTimeoutMs} ms wall-clock budget applies on the isolated lane only)`
      : `the plugin ran metered on the isolated lane: the call budgets of ${fuelPerCall} fuel and ${callTimeoutMs} ms wall-clock were enforced`,
    { lane: facts.lane, fuelPerCall, callTimeoutMs },
  );
  const measured = new Set<string>();
  for (const call of facts.calls) {
    const { command, fuelUsed } = call;
    if (command === undefined || fuelUsed === undefined || measured.has(command)) continue;
    measured.add(command);
    // A command that ran out of fuel is already an error below, with what it used.
    if (call.code === 'fuel_exhausted') continue;
    const failed = call.outcome === 'error' ? ` before failing (${call.code ?? 'error'})` : '';
    check.info(
      'fuel',
      `command ${JSON.stringify(command)} used ${fuelUsed} fuel${failed} (budget ${fuelPerCall})`,
      { command, fuelUsed, fuelPerCall },
    );
  }
  for (const hit of facts.limitHits) check.error(hit.code, `${hit.where}: ${hit.message}`);
}
