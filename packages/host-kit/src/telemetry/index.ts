// @plinth/host-kit/telemetry: the call trace host calls and guest log lines join, alone, for code that
// must stay small (the isolated lane's worker loads it for every instance).
export {
  CallTrace,
  callTraceOf,
  recordDenial,
  recordGuestLog,
  traceHostCall,
  type DeniedCheck,
  type HostCallEnd,
} from './call-trace.js';
export {
  runtimeInstruments,
  runtimeTracer,
  TELEMETRY_SCOPE,
  type RuntimeInstruments,
} from './instruments.js';
