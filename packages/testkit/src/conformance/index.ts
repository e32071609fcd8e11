export * from './report.js';
export {
  runConformance,
  DEFAULT_BUDGETS,
  type ConformanceBudgets,
  type ConformanceOptions,
} from './run-conformance.js';
export { formatReport } from './format-report.js';
export { main, type CliIo } from './cli.js';
export { paramsFromCliHints, cliCommandTarget } from './manifest-checks.js';
export { UNKNOWN_COMMAND, EVENT_PAYLOADS } from './call-checks.js';
