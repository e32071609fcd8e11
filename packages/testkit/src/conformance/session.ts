import { PlinthError, type JsonValue } from '@plinth/protocol';
import type { ProtocolLogEntry } from '@plinth/runtime';
import {
  createPluginHarness,
  type PluginHarness,
  type PluginHarnessOptions,
} from '../harness/plugin-harness.js';
import type { TranscriptHostCall } from '../harness/transcript.js';
import type { CheckRecorder } from './report.js';

/** The codes of a limit hit; after one the lane may have recycled the instance (fresh memory, no init). */
export const LIMIT_ERROR_CODES: ReadonlySet<string> = new Set([
  'timeout',
  'out_of_memory',
  'output_too_large',
  'host_calls_exceeded',
]);

export interface LimitHit {
  where: string;
  code: string;
  message: string;
}

/**
 * The harnesses one conformance run goes through. A limit hit discards the current one, so the next
 * check starts from a freshly loaded and initialized plugin; host calls and logs of every harness are
 * kept for the permissions check.
 */
export class ConformanceSession {
  readonly hostCalls: TranscriptHostCall[] = [];
  readonly hostLogs: ProtocolLogEntry[] = [];
  readonly limitHits: LimitHit[] = [];
  #current: PluginHarness | undefined;

  constructor(private readonly options: PluginHarnessOptions) {}

  /** Protocol-layer logs of every harness so far, the live one included. */
  logs(): ProtocolLogEntry[] {
    return [...this.hostLogs, ...(this.#current?.hostLogs ?? [])];
  }

  /** The live harness, loaded and initialized; a fresh one after `discard`. */
  async harness(): Promise<PluginHarness> {
    if (this.#current) return this.#current;
    const harness = await createPluginHarness(this.options);
    try {
      await harness.init();
    } catch (error) {
      await harness.close().catch(() => undefined);
      this.#keep(harness);
      throw error;
    }
    this.#current = harness;
    return harness;
  }

  /** Shuts the current harness down (calls `shutdown`) and keeps what it recorded. */
  async discard(): Promise<void> {
    const harness = this.#current;
    if (!harness) return;
    this.#current = undefined;
    try {
      await harness.close();
    } finally {
      this.#keep(harness);
    }
  }

  #keep(harness: PluginHarness): void {
    this.hostCalls.push(...harness.hostCalls);
    this.hostLogs.push(...harness.hostLogs);
  }

  /**
   * Records a failed call as an error finding named by the error's code; a limit hit is also kept for
   * the budgets check and discards the harness.
   */
  async fail(check: CheckRecorder, where: string, error: unknown, detail?: JsonValue): Promise<void> {
    const code = PlinthError.isInstance(error) ? error.code : 'internal_error';
    const message = error instanceof Error ? error.message : String(error);
    check.error(code, `${where}: ${message}`, detail);
    if (LIMIT_ERROR_CODES.has(code)) {
      this.limitHits.push({ where, code, message });
      await this.discard().catch(() => undefined);
    }
  }
}
