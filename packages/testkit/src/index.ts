// The guest corpus lives in @plinth/guests; these names stay here for existing imports.
export {
  GUESTS_DIR,
  listGuests,
  getGuest,
  guestPath,
  guestBytes,
  type GuestInfo,
  type GuestKind,
  type GuestLanguage,
  type HostileTrigger,
} from '@plinth/guests';
export {
  createDirectPlugin,
  type DirectExtismPlugin,
  type DirectPlugin,
  type DirectPluginOptions,
  type RecordedHostCall,
} from './guests/direct-host.js';
export { runConformanceTable } from './guests/conformance.js';
