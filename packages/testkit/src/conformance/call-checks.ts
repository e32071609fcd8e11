import { isDeepStrictEqual } from 'node:util';
import {
  decodeCommandResponse,
  GUEST_EVENT_TYPES,
  type GuestEventType,
  type GuestManifest,
  type JsonValue,
} from '@plinth/protocol';
import type { ConformanceSession } from './session.js';
import type { CheckRecorder } from './report.js';

export interface CheckContext {
  session: ConformanceSession;
  manifest: GuestManifest;
  /** Exported function names of the module. */
  exports: readonly string[];
  /** The params each declared command is called with. */
  paramsFor(command: string): JsonValue | null;
  /** Where those params come from: the fixtures, the command's CLI hint, or nowhere (`null` is sent). */
  paramsFrom(command: string): ParamsSource;
}

export type ParamsSource = 'fixtures' | 'cli-hint' | 'none';

/** What a command that made no host call was called with, and what to do about it. */
const NO_HOST_CALL_HINT: Readonly<Record<ParamsSource, string>> = {
  fixtures: 'with its fixture params, so no permission of it was checked',
  'cli-hint':
    "with its CLI hint's params, so no permission of it was checked; to test what it does with the host, give it params (--fixtures) and files (--files)",
  none: 'with null params (no fixture, no CLI hint), so no permission of it was checked; to test what it does with the host, give it params (--fixtures) and files (--files)',
};

/** A command no plugin declares; the guest must refuse it with a well-formed CommandResponse. */
export const UNKNOWN_COMMAND = '__plinth_conformance_unknown_command__';

/** Plausible payloads a host would send; the record type keeps it complete when event types are added. */
export const EVENT_PAYLOADS: Readonly<Record<GuestEventType, JsonValue>> = {
  workspace_opened: { workspace_root: '/workspace' },
  workspace_closed: { workspace_root: '/workspace' },
  workspace_committed: { workspace_root: '/workspace' },
  workspace_changed: { workspace_root: '/workspace', changed_paths: ['README.md'] },
  file_opened: { path: 'README.md' },
  file_created: { path: 'README.md' },
  file_deleted: { path: 'README.md' },
  file_saved: { path: 'README.md', body_changed: true },
  file_moved: { old_path: 'README.md', new_path: 'Archive/README.md' },
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Why declared commands never reach the guest, or null when they do. */
export function commandsUnreachable(context: CheckContext): string | null {
  if (context.manifest.commands.length === 0) return 'the manifest declares no commands';
  if (!context.manifest.capabilities.includes('custom_commands')) {
    return 'commands are not routed without the custom_commands capability (see the manifest check)';
  }
  if (!context.exports.includes('handle_command')) return 'the module does not export handle_command';
  return null;
}

const uniqueCommands = (manifest: GuestManifest): string[] => [...new Set(manifest.commands)];

export async function checkCommands(context: CheckContext, check: CheckRecorder): Promise<void> {
  const unreachable = commandsUnreachable(context);
  if (unreachable) return check.skip(unreachable);
  for (const command of uniqueCommands(context.manifest)) {
    const params = context.paramsFor(command);
    const where = `command ${JSON.stringify(command)}`;
    try {
      const harness = await context.session.harness();
      const before = harness.hostCalls.length;
      const response = await harness.command(command, params);
      if (harness.hostCalls.length === before) {
        // The permissions check only sees host calls: a command that made none was not checked there.
        const from = context.paramsFrom(command);
        check.info('no_host_call', `${where} made no host call ${NO_HOST_CALL_HINT[from]}`, {
          command,
          params,
          paramsFrom: from,
        });
      }
      if (response.success) continue;
      if (response.error === undefined || response.error.trim() === '') {
        check.warning(
          'error_without_message',
          `${where} answered success:false without an error message; callers cannot tell what went wrong`,
          { params },
        );
      } else {
        const code = response.error_code ? ` (${response.error_code})` : '';
        check.info('command_error', `${where} answered success:false: ${response.error}${code}`, { params });
      }
    } catch (error) {
      await context.session.fail(check, where, error, { params });
    }
  }
}

export async function checkUnknownCommand(context: CheckContext, check: CheckRecorder): Promise<void> {
  if (!context.exports.includes('handle_command'))
    return check.skip('the module does not export handle_command');
  const where = `handle_command with the undeclared command ${JSON.stringify(UNKNOWN_COMMAND)}`;
  let output: Uint8Array | null;
  try {
    const harness = await context.session.harness();
    ({ output } = await harness.callRaw(
      'handle_command',
      JSON.stringify({ command: UNKNOWN_COMMAND, params: null }),
    ));
  } catch (error) {
    return context.session.fail(check, where, error);
  }
  if (output === null)
    return check.error('invalid_output', `${where} set no output; a CommandResponse is required`);
  let text: string;
  try {
    text = strictUtf8.decode(output);
  } catch {
    return check.error('invalid_output', `${where} answered output that is not valid UTF-8`);
  }
  const decoded = decodeCommandResponse(text);
  if (!decoded.ok) {
    return check.error(
      'invalid_output',
      `${where} answered an invalid CommandResponse: ${decoded.error.message}`,
    );
  }
  if (decoded.value.success) {
    check.error('unknown_command_succeeded', `${where} answered success:true; an unknown command must fail`, {
      response: text,
    });
  }
}

export async function checkEvents(context: CheckContext, check: CheckRecorder): Promise<void> {
  if (!context.exports.includes('on_event')) return check.skip('the module does not export on_event');
  for (const type of GUEST_EVENT_TYPES) {
    const payload = EVENT_PAYLOADS[type];
    const where = `on_event ${type}`;
    try {
      const failure = await (await context.session.harness()).event(type, payload);
      if (failure) await context.session.fail(check, where, failure, { payload });
    } catch (error) {
      await context.session.fail(check, where, error, { payload });
    }
  }
  // The plugin must still answer after every event: its first command, when commands reach it.
  if (commandsUnreachable(context) !== null) return;
  const [first] = uniqueCommands(context.manifest);
  if (first === undefined) return;
  try {
    await (await context.session.harness()).command(first, context.paramsFor(first));
  } catch (error) {
    await context.session.fail(check, `command ${JSON.stringify(first)} after the events`, error);
  }
}

export async function checkConfig(context: CheckContext, check: CheckRecorder): Promise<void> {
  const missing = ['get_config', 'set_config'].filter((name) => !context.exports.includes(name));
  if (missing.length > 0) return check.skip(`the module does not export ${missing.join(' or ')}`);
  let step = 'get_config';
  try {
    const harness = await context.session.harness();
    const before = await harness.getConfig();
    step = 'set_config with what get_config answered';
    const reconcile = await harness.setConfig(before);
    step = 'get_config after set_config';
    const after = await harness.getConfig();
    const reconciled = reconcile.config ?? before;
    if (!isDeepStrictEqual(after, before) && !isDeepStrictEqual(after, reconciled)) {
      check.error(
        'config_not_round_tripped',
        'get_config answered a different config after set_config was given what get_config answered',
        { before, after },
      );
    }
  } catch (error) {
    await context.session.fail(check, step, error);
  }
}

export async function checkReload(context: CheckContext, check: CheckRecorder): Promise<void> {
  const { session } = context;
  const failedShutdowns = () =>
    session.hostLogs.filter((entry) => entry.level === 'error' && entry.exportName === 'shutdown');
  try {
    await session.discard();
  } catch (error) {
    await session.fail(check, 'closing the plugin', error);
  }
  const [first] = commandsUnreachable(context) === null ? uniqueCommands(context.manifest) : [];
  try {
    const harness = await session.harness();
    if (first !== undefined) await harness.command(first, context.paramsFor(first));
  } catch (error) {
    await session.fail(
      check,
      first === undefined ? 'a fresh load' : `command ${JSON.stringify(first)} after a fresh load`,
      error,
    );
  }
  try {
    await session.discard();
  } catch (error) {
    await session.fail(check, 'closing the reloaded plugin', error);
  }
  for (const entry of failedShutdowns()) check.error(entry.error?.code ?? 'shutdown_failed', entry.message);
}
