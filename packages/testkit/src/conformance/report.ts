import type { JsonValue } from '@plinth/protocol';

/** `error` fails its check; `warning` and `info` are told to the author and never fail anything. */
export type FindingSeverity = 'error' | 'warning' | 'info';

/** One thing a check found, e.g. `{ code: 'timeout', message: 'handle_command "spin" timed out …' }`. */
export interface ConformanceFinding {
  /** Stable machine-readable code: a PlinthError code (`timeout`, `invalid_output`, …) or a check's own. */
  code: string;
  severity: FindingSeverity;
  message: string;
  detail?: JsonValue;
}

/** How a check ended: `fail` when it found an error, `skip` when it could not run, else `pass`. */
export type CheckStatus = 'pass' | 'fail' | 'skip';

/** The checks of the suite, in the order they run and are reported. */
export const CHECK_IDS = [
  'manifest',
  'commands',
  'unknown-command',
  'events',
  'config',
  'permissions',
  'budgets',
  'reload',
] as const;

/** The id of one check, e.g. `unknown-command`. */
export type CheckId = (typeof CHECK_IDS)[number];

/** Each check's one-line title, as reports show it. */
export const CHECK_TITLES: Readonly<Record<CheckId, string>> = {
  manifest: 'loads, and its manifest is valid and consistent',
  commands: 'every declared command answers a valid CommandResponse',
  'unknown-command': 'an undeclared command gets a well-formed failure',
  events: 'every host event type is survived',
  config: 'config round-trips through get_config and set_config',
  permissions: 'host calls stay within the requested permissions',
  budgets: 'stays within the fuel, time and memory budgets',
  reload: 'survives shutdown and a fresh load',
};

/** The outcome of one check: its status and what it found. */
export interface ConformanceCheck {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** Why the check was skipped; present only for `skip`. */
  reason?: string;
  findings: ConformanceFinding[];
}

/**
 * The result of `runConformance`: the plugin, every check in CHECK_IDS order, and whether the suite passed.
 */
export interface ConformanceReport {
  /** From the manifest; `null` when it could not be read. */
  plugin: { id: string; version: string } | null;
  checks: ConformanceCheck[];
  /** True when no check failed (skips and warnings do not fail). */
  passed: boolean;
}

/** Collects one check's findings; the status follows from them. */
export class CheckRecorder {
  readonly findings: ConformanceFinding[] = [];
  #skipReason: string | undefined;

  constructor(readonly id: CheckId) {}

  /** Records an error finding; the check then fails. */
  error(code: string, message: string, detail?: JsonValue): void {
    this.findings.push({ code, severity: 'error', message, ...(detail === undefined ? {} : { detail }) });
  }

  /** Records a warning finding; told to the author, never fails the check. */
  warning(code: string, message: string, detail?: JsonValue): void {
    this.findings.push({ code, severity: 'warning', message, ...(detail === undefined ? {} : { detail }) });
  }

  /** Records an informational finding, e.g. the fuel a command used. */
  info(code: string, message: string, detail?: JsonValue): void {
    this.findings.push({ code, severity: 'info', message, ...(detail === undefined ? {} : { detail }) });
  }

  /** Marks the check skipped with the reason; an error finding still makes it fail. */
  skip(reason: string): void {
    this.#skipReason = reason;
  }

  /** The check as reported: `fail` on any error finding, else `skip` if skipped, else `pass`. */
  toCheck(): ConformanceCheck {
    const failed = this.findings.some((finding) => finding.severity === 'error');
    const base = { id: this.id, title: CHECK_TITLES[this.id], findings: this.findings };
    if (failed) return { ...base, status: 'fail' };
    if (this.#skipReason !== undefined) return { ...base, status: 'skip', reason: this.#skipReason };
    return { ...base, status: 'pass' };
  }
}
