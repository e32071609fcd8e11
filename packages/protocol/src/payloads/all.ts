import type { Payload } from '../payload.js';
import { commandRequestPayload, commandResponsePayload } from './commands.js';
import { configReconcilePayload, pluginConfigPayload } from './config.js';
import { guestEventPayload } from './events.js';
import { initContextPayload } from './init-context.js';
import { guestManifestPayload } from './manifest.js';
import { policyPayload } from './policy.js';

/** Every payload of the guest exports and the policy document. Host-function shapes live in the catalogue. */
export const PAYLOADS: readonly Payload<unknown, unknown>[] = [
  guestManifestPayload,
  initContextPayload,
  guestEventPayload,
  commandRequestPayload,
  commandResponsePayload,
  pluginConfigPayload,
  configReconcilePayload,
  policyPayload,
] as Payload<unknown, unknown>[];

/**
 * Validates a decoded `manifest` output into the typed GuestManifest; unknown capabilities and bad `ui`/`cli`
 * elements become warnings. Never throws.
 */
export const parseGuestManifest = guestManifestPayload.parse;
/**
 * Decodes the JSON text of a `manifest` output and validates it as `parseGuestManifest` does. Never throws.
 */
export const decodeGuestManifest = guestManifestPayload.decode;
/** Validates a decoded `handle_command` output. Never throws. */
export const parseCommandResponse = commandResponsePayload.parse;
/** Decodes the JSON text of a `handle_command` output and validates it. Never throws. */
export const decodeCommandResponse = commandResponsePayload.decode;
/** Decodes a `set_config` output; an empty text stands for `{}`. Never throws. */
export const decodeConfigReconcile = configReconcilePayload.decode;
/**
 * Validates a decoded policy document, filling rule defaults; unknown permission types become warnings. Never
 * throws.
 */
export const parsePolicy = policyPayload.parse;
