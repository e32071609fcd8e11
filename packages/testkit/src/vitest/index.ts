import { expect } from 'vitest';
import type { TranscriptHostCall } from '../harness/transcript.js';

/** What the matchers read: a harness, a recorder, or anything else that keeps host calls and events. */
export interface HostCallSubject {
  readonly hostCalls: readonly TranscriptHostCall[];
  readonly emittedEvents?: readonly unknown[];
}

interface PlinthMatchers<R = unknown> {
  /** Some host call to `name`; with `request`, one whose JSON request contains (or equals) it. */
  toHaveCalledHostFunction(name: string, request?: unknown): R;
  /** Some permission check of `type` (on `target`, raw or normalized, when given) was refused. */
  toHaveBeenDeniedPermission(type: string, target?: string): R;
  /** Some emitted event contains (or equals) `payload`. */
  toHaveEmittedEvent(payload: unknown): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends PlinthMatchers<T> {}
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.getPrototypeOf(value) === Object.prototype;

/** A plain object expectation matches as a subset; anything else (arrays, matchers, scalars) exactly. */
const containing = (expected: unknown): unknown =>
  isPlainObject(expected) ? expect.objectContaining(expected) : expected;

function subjectOf(received: unknown): HostCallSubject {
  const subject = received as Partial<HostCallSubject> | null;
  if (!subject || !Array.isArray(subject.hostCalls)) {
    throw new TypeError('expected a harness or recorder with a hostCalls array');
  }
  return subject as HostCallSubject;
}

const listCalls = (calls: readonly TranscriptHostCall[]): string =>
  calls.length === 0
    ? '  (no host calls)'
    : calls.map((call) => `  ${call.function} ${call.input}`).join('\n');

expect.extend({
  toHaveCalledHostFunction(received: unknown, name: string, request?: unknown) {
    const { hostCalls } = subjectOf(received);
    const sameName = hostCalls.filter((call) => call.function === name);
    const pass =
      request === undefined
        ? sameName.length > 0
        : sameName.some((call) => this.equals(parseJson(call.input), containing(request)));
    const wanted = request === undefined ? name : `${name} with ${this.utils.printExpected(request)}`;
    return {
      pass,
      message: () =>
        `expected the plugin ${pass ? 'not ' : ''}to call ${wanted}; host calls made:\n${listCalls(hostCalls)}`,
    };
  },

  toHaveBeenDeniedPermission(received: unknown, type: string, target?: string) {
    const { hostCalls } = subjectOf(received);
    const decisions = hostCalls.flatMap((call) => call.decisions);
    const pass = decisions.some(
      (decision) =>
        !decision.allowed &&
        decision.permission === type &&
        (target === undefined || decision.target === target || decision.normalizedTarget === target),
    );
    const seen =
      decisions.map((d) => `  ${d.permission} on '${d.target}': ${d.outcome}`).join('\n') || '  (none)';
    return {
      pass,
      message: () =>
        `expected ${type}${target === undefined ? '' : ` on '${target}'`} ${pass ? 'not ' : ''}to be refused; permission checks made:\n${seen}`,
    };
  },

  toHaveEmittedEvent(received: unknown, payload: unknown) {
    const events = (received as Partial<HostCallSubject> | null)?.emittedEvents;
    if (!Array.isArray(events)) throw new TypeError('expected a harness with an emittedEvents array');
    const pass = events.some((event) => this.equals(event, containing(payload)));
    return {
      pass,
      message: () =>
        `expected ${pass ? 'no' : 'an'} event matching ${this.utils.printExpected(payload)}; emitted:\n${
          events.map((event) => `  ${JSON.stringify(event)}`).join('\n') || '  (none)'
        }`,
    };
  },
});

/** One host call as a snapshot shows it: requests parsed, long outputs shortened, decisions in words. */
export interface TranscriptSnapshotEntry {
  function: string;
  request: unknown;
  outcome: string;
  output: string;
  permissions?: string[];
}

/**
 * A stable, readable view of host calls for `toMatchSnapshot` / `toMatchInlineSnapshot`: no plugin ids
 * or timings, requests as JSON, outputs cut at `maxOutput` characters.
 */
export function transcriptSnapshot(
  subject: HostCallSubject | readonly TranscriptHostCall[],
  options: { maxOutput?: number } = {},
): TranscriptSnapshotEntry[] {
  const calls = Array.isArray(subject)
    ? (subject as readonly TranscriptHostCall[])
    : subjectOf(subject).hostCalls;
  const max = options.maxOutput ?? 200;
  return calls.map((call) => {
    const output =
      call.output.length > max ? `${call.output.slice(0, max)}… (${call.output.length} chars)` : call.output;
    const entry: TranscriptSnapshotEntry = {
      function: call.function,
      request: parseJson(call.input),
      outcome: call.outcome,
      output,
    };
    if (call.decisions.length > 0) {
      entry.permissions = call.decisions.map((d) => `${d.permission} on '${d.target}': ${d.outcome}`);
    }
    return entry;
  });
}
