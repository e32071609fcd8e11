/**
 * The exports a protocol guest may have (PROTOCOL.md section 2), and what the host sends and expects.
 * `manifest` is the only export every protocol guest must have; `handle_command` is required of guests
 * that declare commands.
 */
export const GUEST_EXPORTS = {
  manifest: {
    required: true,
    input: '""',
    output: 'GuestManifest',
    when: 'at load, unless a fresh cached manifest exists',
  },
  init: {
    required: false,
    input: 'InitContext',
    output: 'ignored',
    when: 'once after load (after set_config with stored config)',
  },
  shutdown: { required: false, input: '"{}"', output: 'ignored', when: 'before unload, swap or host exit' },
  on_event: { required: false, input: 'GuestEvent', output: 'ignored', when: 'for every host event' },
  handle_command: {
    required: false,
    input: 'CommandRequest',
    output: 'CommandResponse',
    when: 'for a command listed in `commands`, with the custom_commands capability',
  },
  get_config: { required: false, input: '""', output: 'PluginConfig', when: 'when a caller reads config' },
  set_config: {
    required: false,
    input: 'PluginConfig or null',
    output: '"" or ConfigReconcile',
    when: 'after the host stores new config',
  },
} as const;

/** The name of a guest export the protocol defines, e.g. `handle_command`. */
export type GuestExportName = keyof typeof GUEST_EXPORTS;

/** WebSocket bridge callbacks a `sync_transport` guest may export (Diaryx-compatible). */
export const WS_CALLBACK_EXPORTS = [
  'on_connected',
  'handle_binary_message',
  'handle_text_message',
  'on_disconnected',
] as const;

/** Input of `shutdown`. */
export const SHUTDOWN_INPUT = '{}';
