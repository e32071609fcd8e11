export {
  GUESTS_DIR,
  listGuests,
  getGuest,
  guestPath,
  guestBytes,
  type ListGuestsFilter,
} from './catalogue.js';
export {
  GUEST_KINDS,
  GUEST_LANGUAGES,
  type GuestInfo,
  type GuestKind,
  type GuestLanguage,
  type HostileTrigger,
} from './guest-info.js';
export {
  loadConformanceTable,
  checkConformanceTable,
  type ConformanceHostCall,
  type ConformanceResult,
  type ConformanceRow,
  type ConformanceSubject,
  type ConformanceTable,
} from './conformance-table.js';
// What the runtime answers each of the corpus's runtime-decided hostile outcomes with.
export { RUNTIME_OUTCOME_CODES } from './runtime-outcomes.js';
