import type { CallContext } from '@extism/extism';
import { HOST_FUNCTIONS, type HostFunctionSpec } from '@plinth/protocol';
import type { HostAnswer, HostBundle, HostCallContext } from './host-bundle.js';

/** One host call as the runtime served it, for transcripts and observability. */
export interface HostCallRecord {
  function: string;
  input: string;
  /** What the guest received (bytes answers as their length, to keep records small). */
  output: string;
  outcome: 'ok' | 'failure' | 'invalid_input' | 'not_available' | 'limit' | 'internal_error';
}

export interface HostFunctionsOptions {
  bundle: HostBundle;
  /** The most host calls one guest call may make; past it every host call answers a failure. */
  maxHostCallsPerCall: number;
  onHostCall?: (record: HostCallRecord, context: HostCallContext) => void;
  /** A handler threw: it never reaches the guest, which gets the failure shape instead. */
  onHandlerError?: (error: unknown, functionName: string, context: HostCallContext) => void;
}

/** Per-call state the lane resets before each guest call and reads after it. */
export interface HostCallState {
  begin(context: HostCallContext): void;
  readonly hostCalls: number;
  readonly limitExceeded: boolean;
}

type ExtismHostFunction = (callContext: CallContext, handle: bigint) => bigint;

/**
 * Builds the `extism:host/user` functions for one plugin instance: every catalogue function, each decoding
 * and validating its request, counting calls against the per-call limit, and turning every failure —
 * malformed input, a missing implementation, a handler that throws — into the function's failure shape.
 * Nothing here ever throws into the guest.
 */
export function createHostFunctions(options: HostFunctionsOptions): {
  functions: Record<string, ExtismHostFunction>;
  state: HostCallState;
} {
  let context: HostCallContext = { pluginId: '', exportName: '' };
  let hostCalls = 0;
  let limitExceeded = false;
  const state: HostCallState = {
    begin(next) {
      context = next;
      hostCalls = 0;
      limitExceeded = false;
    },
    get hostCalls() {
      return hostCalls;
    },
    get limitExceeded() {
      return limitExceeded;
    },
  };

  const functions: Record<string, ExtismHostFunction> = {};
  for (const spec of HOST_FUNCTIONS as readonly HostFunctionSpec[]) {
    const handler = (
      options.bundle as Record<string, ((request: unknown, ctx: HostCallContext) => HostAnswer) | undefined>
    )[spec.name];
    functions[spec.name] = (callContext, handle) => {
      const input = handle === 0n ? '' : (callContext.read(handle)?.text() ?? '');
      const { answer, outcome } = serve(spec, handler, input);
      options.onHostCall?.(
        {
          function: spec.name,
          input,
          output: typeof answer === 'string' ? answer : `<${answer.length} bytes>`,
          outcome,
        },
        context,
      );
      return callContext.store(answer);
    };
  }

  function serve(
    spec: HostFunctionSpec,
    handler: ((request: unknown, ctx: HostCallContext) => HostAnswer) | undefined,
    input: string,
  ): { answer: string | Uint8Array; outcome: HostCallRecord['outcome'] } {
    hostCalls += 1;
    if (hostCalls > options.maxHostCallsPerCall) {
      limitExceeded = true;
      const message = `host call limit of ${options.maxHostCallsPerCall} per call exceeded`;
      return { answer: spec.failureOutput(message), outcome: 'limit' };
    }
    if (!handler) return { answer: spec.notAvailableOutput(), outcome: 'not_available' };
    const request = spec.decodeRequest(input);
    if (!request.ok) return { answer: spec.failureOutput(request.error.message), outcome: 'invalid_input' };
    try {
      const answer: unknown = handler(request.value, context);
      if (typeof answer === 'string' || answer instanceof Uint8Array) return { answer, outcome: 'ok' };
      if (isFailure(answer)) return { answer: spec.failureOutput(answer.failure), outcome: 'failure' };
      throw new TypeError(
        `${spec.name} handler answered ${describe(answer)}; expected a string, bytes or { failure }`,
      );
    } catch (error) {
      options.onHandlerError?.(error, spec.name, context);
      return { answer: spec.failureOutput('internal error in the host'), outcome: 'internal_error' };
    }
  }

  return { functions, state };
}

const isFailure = (value: unknown): value is { failure: string } =>
  typeof value === 'object' && value !== null && typeof (value as { failure?: unknown }).failure === 'string';

const describe = (value: unknown): string =>
  typeof (value as { then?: unknown } | null)?.then === 'function'
    ? 'a promise (in-thread host functions must be synchronous)'
    : typeof value;
