import { getHostFunction, type HostFunctionName, type HostFunctionSpec } from '@plinth/protocol';
import type { HostAnswer, HostBundle, HostCallContext } from './host-bundle.js';
import { callTraceOf, traceHostCall } from '../telemetry/call-trace.js';

/** How one host call ended, as recorded for transcripts and observability. */
export type HostCallOutcome =
  'ok' | 'failure' | 'invalid_input' | 'not_available' | 'limit' | 'internal_error';

/** One host call as the runtime served it, for transcripts and observability. */
export interface HostCallRecord {
  function: string;
  input: string;
  /** What the guest received (bytes answers as their length, to keep records small). */
  output: string;
  outcome: HostCallOutcome;
}

/** What the guest receives from one host call, and how the call ended. */
export interface ServedHostCall {
  answer: string | Uint8Array;
  outcome: HostCallOutcome;
}

/**
 * A handler as the runtime calls it. The isolated lane awaits a promise; the in-thread lane cannot (its
 * host functions run inside a synchronous wasm import) and answers it as an internal error.
 */
export type AnyHostHandler = (
  request: unknown,
  context: HostCallContext,
) => HostAnswer | PromiseLike<HostAnswer>;

/** Per-call state the lane resets before each guest call and reads after it. */
export interface HostCallState {
  /** Starts a guest call: sets its context and zeroes the count and the limit flag. */
  begin(context: HostCallContext): void;
  readonly context: HostCallContext;
  readonly hostCalls: number;
  readonly limitExceeded: boolean;
}

/** The mutable side of HostCallState, used only while serving. */
export interface HostCallCounter extends HostCallState {
  /** Counts one host call; false once the per-call limit is passed (and remembers that it was). */
  count(maxHostCallsPerCall: number): boolean;
}

/** Fresh per-call state for one instance: no context, no calls counted. */
export function createHostCallState(): HostCallCounter {
  let context: HostCallContext = { pluginId: '', exportName: '' };
  let hostCalls = 0;
  let limitExceeded = false;
  return {
    begin(next) {
      context = next;
      hostCalls = 0;
      limitExceeded = false;
    },
    count(max) {
      hostCalls += 1;
      if (hostCalls > max) limitExceeded = true;
      return !limitExceeded;
    },
    get context() {
      return context;
    },
    get hostCalls() {
      return hostCalls;
    },
    get limitExceeded() {
      return limitExceeded;
    },
  };
}

/** What `serveHostCall` needs to serve one call. */
export interface ServeHostCallOptions {
  spec: HostFunctionSpec;
  handler: AnyHostHandler | undefined;
  /** The guest's request text. */
  input: string;
  state: HostCallCounter;
  maxHostCallsPerCall: number;
  /** Await a handler's promise (isolated lane) or answer it as an internal error (in-thread lane). */
  allowAsync: boolean;
  /** Hears of a handler that threw or answered wrongly (the guest gets the failure shape instead). */
  onHandlerError?: ((error: unknown, functionName: string, context: HostCallContext) => void) | undefined;
}

/**
 * Serves one host call: counts it against the per-call limit, answers "not available" for a missing
 * handler, decodes and validates the request, runs the handler and turns every failure — malformed
 * input, a handler that throws or rejects, a wrong answer type — into the function's failure shape.
 * Never throws: nothing here may reach the guest as a trap. Synchronous unless a handler returned a
 * promise and `allowAsync` is set.
 */
export function serveHostCall(options: ServeHostCallOptions): ServedHostCall | Promise<ServedHostCall> {
  const callTrace = callTraceOf(options.state.context);
  if (callTrace === undefined) return serve(options);
  return traceHostCall(callTrace, options.spec.name, (recordError) =>
    serve({
      ...options,
      onHandlerError(error, functionName, context) {
        recordError(error);
        options.onHandlerError?.(error, functionName, context);
      },
    }),
  );
}

function serve(options: ServeHostCallOptions): ServedHostCall | Promise<ServedHostCall> {
  const { spec, handler, state } = options;
  if (!state.count(options.maxHostCallsPerCall)) {
    const message = `host call limit of ${options.maxHostCallsPerCall} per call exceeded`;
    return { answer: spec.failureOutput(message), outcome: 'limit' };
  }
  if (!handler) return { answer: spec.notAvailableOutput(), outcome: 'not_available' };
  const request = spec.decodeRequest(options.input);
  if (!request.ok) return { answer: spec.failureOutput(request.error.message), outcome: 'invalid_input' };
  const context = state.context;
  const internalError = (error: unknown): ServedHostCall => {
    options.onHandlerError?.(error, spec.name, context);
    return { answer: spec.failureOutput('internal error in the host'), outcome: 'internal_error' };
  };
  let answer: unknown;
  try {
    answer = handler(request.value, context);
  } catch (error) {
    return internalError(error);
  }
  if (options.allowAsync && isPromiseLike(answer)) {
    return Promise.resolve(answer).then(
      (settled) => shapeAnswer(spec, settled, internalError),
      (error: unknown) => internalError(error),
    );
  }
  return shapeAnswer(spec, answer, internalError);
}

/** Stands in for a secret value in host-call records. */
export const REDACTED = '[redacted]';

/** JSON object text with its `value` field replaced; other text is left as it is. */
function redactValue(text: string): string {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return text;
    return 'value' in parsed ? JSON.stringify({ ...parsed, value: REDACTED }) : text;
  } catch {
    return text;
  }
}

/**
 * The record `onHostCall` receives for one served call. Secret values never appear in it (secrets are
 * never exposed through logs, PROTOCOL.md §4): for a function the catalogue marks `secret`, the `value`
 * field of the request and of a successful answer is replaced by `[redacted]`, so records can be logged
 * and transcripts saved as they are.
 */
export function hostCallRecord(functionName: string, input: string, served: ServedHostCall): HostCallRecord {
  const { answer, outcome } = served;
  const output = typeof answer === 'string' ? answer : `<${answer.length} bytes>`;
  if (getHostFunction(functionName)?.secret !== true) {
    return { function: functionName, input, output, outcome };
  }
  return {
    function: functionName,
    input: redactValue(input),
    output: outcome === 'ok' ? redactValue(output) : output,
    outcome,
  };
}

function shapeAnswer(
  spec: HostFunctionSpec,
  answer: unknown,
  internalError: (error: unknown) => ServedHostCall,
): ServedHostCall {
  if (typeof answer === 'string' || answer instanceof Uint8Array) return { answer, outcome: 'ok' };
  if (isFailure(answer)) return { answer: spec.failureOutput(answer.failure), outcome: 'failure' };
  return internalError(
    new TypeError(
      `${spec.name} handler answered ${describe(answer)}; expected a string, bytes or { failure }`,
    ),
  );
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

const isFailure = (value: unknown): value is { failure: string } =>
  typeof value === 'object' && value !== null && typeof (value as { failure?: unknown }).failure === 'string';

const describe = (value: unknown): string =>
  isPromiseLike(value) ? 'a promise (in-thread host functions must be synchronous)' : typeof value;

/**
 * Serves one call of a bundle outside any lane, exactly as a lane would (decode, validate, handle, shape
 * the answer; a handler's promise is awaited). For contract suites and tests that speak the wire.
 */
export function serveBundleCall(
  bundle: HostBundle,
  name: HostFunctionName,
  input: string,
  context: HostCallContext,
): ServedHostCall | Promise<ServedHostCall> {
  const state = createHostCallState();
  state.begin(context);
  return serveHostCall({
    spec: getHostFunction(name),
    handler: (bundle as Record<string, AnyHostHandler | undefined>)[name],
    input,
    state,
    maxHostCallsPerCall: Number.MAX_SAFE_INTEGER,
    allowAsync: true,
  });
}
