import { getHostFunction, isHostFunctionName, type HostFunctionName } from '@plinth/protocol';
import type { HostAnswer, HostBundle, HostCallContext } from '@plinth/host-kit';
import type { Transcript, TranscriptHostCall } from './transcript.js';

/** A host call the replayed plugin made that the transcript has no answer for. */
export interface ReplayDivergence {
  function: string;
  /** The request as the replayed plugin sent it (decoded, as JSON). */
  request: string;
  /** What the transcript expected next for this function, if anything. */
  expected?: string;
  message: string;
}

/** A bundle that answers from a transcript, and what it could not answer. */
export interface ReplayBundle {
  readonly bundle: HostBundle;
  /** Calls that had no recorded answer, in order; empty when the plugin behaved as recorded. */
  readonly divergences: readonly ReplayDivergence[];
  /** Recorded calls the replayed plugin never made. */
  unused(): TranscriptHostCall[];
}

/** Outcomes where a handler ran when the transcript was recorded: only those are served from it. */
const HANDLED = new Set<TranscriptHostCall['outcome']>(['ok', 'failure', 'internal_error']);

const canonicalRequest = (name: HostFunctionName, input: string): string | undefined => {
  const decoded = getHostFunction(name).decodeRequest(input);
  return decoded.ok ? JSON.stringify(decoded.value) : undefined;
};

/**
 * Serves a plugin's host calls from a transcript instead of real host functions: each call gets the
 * answer recorded for the same function and the same request, taken in recorded order. Functions that
 * were not available when the transcript was made stay unavailable, so the plugin sees exactly what it
 * saw then. A request the transcript does not have is a divergence: it is recorded and answered with the
 * function's failure, never a guess.
 */
export function createReplayBundle(transcript: Transcript): ReplayBundle {
  const queues = new Map<HostFunctionName, { call: TranscriptHostCall; request: string; used: boolean }[]>();
  for (const call of transcript.hostCalls) {
    if (!isHostFunctionName(call.function) || !HANDLED.has(call.outcome)) continue;
    const request = canonicalRequest(call.function, call.input);
    if (request === undefined) continue;
    const queue = queues.get(call.function) ?? [];
    queue.push({ call, request, used: false });
    queues.set(call.function, queue);
  }
  const divergences: ReplayDivergence[] = [];
  const bundle: Record<string, unknown> = {};
  for (const [name, queue] of queues) {
    bundle[name] = (request: unknown, _context: HostCallContext): HostAnswer => {
      const wanted = JSON.stringify(request);
      const match = queue.find((entry) => !entry.used && entry.request === wanted);
      if (match === undefined) {
        const expected = queue.find((entry) => !entry.used)?.request;
        const message = `replay: the transcript has no answer for this request${
          expected === undefined ? '' : `; next recorded request was ${expected}`
        }`;
        divergences.push({
          function: name,
          request: wanted,
          message,
          ...(expected === undefined ? {} : { expected }),
        });
        return { failure: message };
      }
      match.used = true;
      return match.call.outputEncoding === 'base64'
        ? new Uint8Array(Buffer.from(match.call.output, 'base64'))
        : match.call.output;
    };
  }
  return {
    bundle: bundle as HostBundle,
    divergences,
    unused: () =>
      [...queues.values()]
        .flat()
        .filter((entry) => !entry.used)
        .map((entry) => entry.call),
  };
}
