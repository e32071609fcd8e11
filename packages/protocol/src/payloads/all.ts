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

export const parseGuestManifest = guestManifestPayload.parse;
export const decodeGuestManifest = guestManifestPayload.decode;
export const parseCommandResponse = commandResponsePayload.parse;
export const decodeCommandResponse = commandResponsePayload.decode;
export const decodeConfigReconcile = configReconcilePayload.decode;
export const parsePolicy = policyPayload.parse;
