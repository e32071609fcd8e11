import { PlinthError, type JsonValue } from '@plinth/protocol';
import { LIMIT_CODES, type ProtocolLogEntry } from '@plinth/runtime';
import {
  createPluginHarness,
  type PluginHarness,
  type PluginHarnessOptions,
} from '../harness/plugin-harness.js';
import {
  harnessNeighbour,
  type CrossPluginRefusal,
  type HarnessNeighbour,
} from '../harness/plugin-command.js';
import type { HarnessCall, TranscriptHostCall } from '../harness/transcript.js';
import type { CheckRecorder } from './report.js';

/** The codes of a limit hit; after one the lane may have recycled the instance (fresh memory, no init). */
const LIMIT_ERROR_CODES: ReadonlySet<string> = new Set(LIMIT_CODES);

export interface LimitHit {
  where: string;
  code: string;
  message: string;
}

export interface ConformanceSessionOptions extends PluginHarnessOptions {
  /**
   * Ids of extra copies of the same module, each loaded with Extism config `plugin_id` set to its id and
   * served to the others as a `host_plugin_command` neighbour, so plugins that call each other can be run.
   */
  copies?: readonly string[];
}

/**
 * The harnesses one conformance run goes through. A limit hit discards the current one, so the next
 * check starts from a freshly loaded and initialized plugin; host calls and logs of every harness are
 * kept for the permissions check.
 */
export class ConformanceSession {
  readonly hostCalls: TranscriptHostCall[] = [];
  /** The plugin's guest calls with their fuel, in order, across every harness (its copies' are not kept). */
  readonly calls: HarnessCall[] = [];
  readonly hostLogs: ProtocolLogEntry[] = [];
  readonly limitHits: LimitHit[] = [];
  /** Cross-plugin calls refused for their chain, by the plugin or any of its copies. */
  readonly crossPluginRefusals: CrossPluginRefusal[] = [];
  #current: PluginHarness | undefined;
  #copies: PluginHarness[] = [];

  constructor(private readonly options: ConformanceSessionOptions) {}

  /** Protocol-layer logs of every harness so far, the live one included. */
  logs(): ProtocolLogEntry[] {
    return [...this.hostLogs, ...(this.#current?.hostLogs ?? [])];
  }

  /** The live harness, loaded and initialized; a fresh one after `discard`. */
  async harness(): Promise<PluginHarness> {
    if (this.#current) return this.#current;
    const { copies = [], ...options } = this.options;
    // Filled once every harness exists; the copies call each other through it too.
    const neighbours: Record<string, HarnessNeighbour> = {};
    for (const id of copies) {
      const copy = await createPluginHarness({
        ...options,
        expectedId: id,
        extismConfig: { ...options.extismConfig, plugin_id: id },
        neighbours,
      });
      this.#copies.push(copy);
      neighbours[id] = harnessNeighbour(copy);
    }
    const harness = await createPluginHarness({ ...options, neighbours });
    const ownId = harness.transcript().pluginId;
    if (copies.length > 0 && !copies.includes(ownId)) neighbours[ownId] = harnessNeighbour(harness);
    try {
      await harness.init();
    } catch (error) {
      await harness.close().catch(() => undefined);
      this.#keep(harness);
      await this.#closeCopies();
      throw error;
    }
    this.#current = harness;
    return harness;
  }

  /** Shuts the current harness down (calls `shutdown`) and keeps what it recorded. */
  async discard(): Promise<void> {
    const harness = this.#current;
    this.#current = undefined;
    await this.#closeCopies();
    if (!harness) return;
    try {
      await harness.close();
    } finally {
      this.#keep(harness);
    }
  }

  async #closeCopies(): Promise<void> {
    const copies = this.#copies.splice(0);
    await Promise.all(copies.map((copy) => copy.close().catch(() => undefined)));
    // Only the refusals of the copies count: their other calls repeat what the plugin itself did.
    for (const copy of copies) this.crossPluginRefusals.push(...copy.crossPluginRefusals);
  }

  #keep(harness: PluginHarness): void {
    this.hostCalls.push(...harness.hostCalls);
    this.calls.push(...harness.calls);
    this.hostLogs.push(...harness.hostLogs);
    this.crossPluginRefusals.push(...harness.crossPluginRefusals);
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
