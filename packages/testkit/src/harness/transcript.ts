import type { AuditSink, PermissionDecision } from '@plinth/permissions';
import { getHostFunction, isHostFunctionName } from '@plinth/protocol';
import type { HostBundle, HostCallContext, HostCallRecord } from '@plinth/host-kit';

/** One host call as a plugin made it: what it asked, what it got back, and the permission decisions. */
export interface TranscriptHostCall {
  function: string;
  /** The request text the guest sent. */
  input: string;
  /** The wire answer the guest received (text), or base64 of the bytes for functions that answer bytes. */
  output: string;
  outputEncoding: 'text' | 'base64';
  outcome: HostCallRecord['outcome'];
  pluginId: string;
  exportName: string;
  /** Every permission check made while serving this call, in order. */
  decisions: PermissionDecision[];
}

/** One guest call a harness made for its user (a command, an event, config, a raw call), with its fuel. */
export interface HarnessCall {
  /** The export called: `handle_command`, `on_event`, `get_config`, `set_config`, `manifest`, or a raw one. */
  exportName: string;
  /** The command, for a `command` call. */
  command?: string;
  /** The event type, for an `event` call. */
  event?: string;
  /**
   * `error` when the call rejected, or the event answered the guest's failure. A command's own
   * `success: false` answer is `ok`: the guest answered.
   */
  outcome: 'ok' | 'error';
  /** The PlinthError code of an error: `fuel_exhausted`, `trap`, `invalid_output`, `not_handled`, … */
  code?: string;
  /**
   * Fuel the guest used (metered harnesses; on `fuel_exhausted`, what it had used when stopped). Absent
   * when the guest ran unmetered or the call never reached it (an undeclared command, say).
   */
  fuelUsed?: number;
}

/** A saved run: the host calls of a plugin, in order, as JSON that can be committed next to a test. */
export interface Transcript {
  format: 'plinth-transcript';
  version: 1;
  pluginId: string;
  hostCalls: TranscriptHostCall[];
  /** The guest calls of the run with their fuel (a harness's `calls`); older transcripts have none. */
  calls?: HarnessCall[];
}

/** Records a plugin's host calls with their permission decisions; made by `createHostCallRecorder`. */
export interface HostCallRecorder {
  /** Pass to the lane or `openProtocolPluginFrom` as `onHostCall`. */
  readonly onHostCall: (record: HostCallRecord, context: HostCallContext) => void;
  /** Pass to the permission checker as its `audit` sink, so decisions land on the call that made them. */
  readonly audit: AuditSink;
  /** Wraps a bundle so the bytes of bytes-answering functions are kept (records only show their length). */
  wrap(bundle: HostBundle): HostBundle;
  readonly hostCalls: readonly TranscriptHostCall[];
  /** Forgets every call recorded so far. */
  clear(): void;
  /** The calls recorded so far as a transcript for `pluginId` (copies; later calls do not change it). */
  toTranscript(pluginId: string): Transcript;
}

const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Records every host call of a plugin, with its permission decisions, for assertions and replay. */
export function createHostCallRecorder(): HostCallRecorder {
  const hostCalls: TranscriptHostCall[] = [];
  let pendingDecisions: PermissionDecision[] = [];
  let pendingBytes: Uint8Array | undefined;
  return {
    hostCalls,
    audit: (decision) => {
      pendingDecisions.push(decision);
    },
    onHostCall(record, context) {
      const bytes = pendingBytes;
      pendingBytes = undefined;
      const isBytes = bytes !== undefined && record.outcome === 'ok';
      hostCalls.push({
        function: record.function,
        input: record.input,
        output: isBytes ? toBase64(bytes) : record.output,
        outputEncoding: isBytes ? 'base64' : 'text',
        outcome: record.outcome,
        pluginId: context.pluginId,
        exportName: context.exportName,
        decisions: pendingDecisions,
      });
      pendingDecisions = [];
    },
    wrap(bundle) {
      const wrapped: Record<string, unknown> = {};
      for (const [name, handler] of Object.entries(bundle)) {
        if (typeof handler !== 'function') continue;
        const answersBytes = isHostFunctionName(name) && getHostFunction(name).success.kind === 'bytes';
        if (!answersBytes) {
          wrapped[name] = handler;
          continue;
        }
        wrapped[name] = (request: unknown, context: HostCallContext) => {
          const keep = (answer: unknown): unknown => {
            if (answer instanceof Uint8Array) pendingBytes = answer;
            return answer;
          };
          const answer: unknown = (handler as (r: unknown, c: HostCallContext) => unknown)(request, context);
          return answer instanceof Promise ? answer.then(keep) : keep(answer);
        };
      }
      return wrapped as HostBundle;
    },
    clear() {
      hostCalls.length = 0;
      pendingDecisions = [];
    },
    toTranscript: (pluginId) => ({
      format: 'plinth-transcript',
      version: 1,
      pluginId,
      hostCalls: hostCalls.map((call) => ({ ...call, decisions: [...call.decisions] })),
    }),
  };
}

/** Why a transcript file was refused: the path inside the JSON and what is wrong there. */
export class TranscriptError extends Error {
  override readonly name = 'TranscriptError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`invalid transcript at ${path}: ${problem}`);
  }
}

const OUTCOMES = new Set(['ok', 'failure', 'invalid_input', 'not_available', 'limit', 'internal_error']);

/** Checks a parsed transcript file, naming the first field that is wrong. */
export function parseTranscript(value: unknown): Transcript {
  const object = (v: unknown, path: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new TranscriptError(path, 'expected an object');
    return v as Record<string, unknown>;
  };
  const string = (v: unknown, path: string): string => {
    if (typeof v !== 'string') throw new TranscriptError(path, 'expected a string');
    return v;
  };
  const root = object(value, '$');
  if (root['format'] !== 'plinth-transcript')
    throw new TranscriptError('$.format', 'expected "plinth-transcript"');
  if (root['version'] !== 1) throw new TranscriptError('$.version', 'expected 1');
  const pluginId = string(root['pluginId'], '$.pluginId');
  if (!Array.isArray(root['hostCalls'])) throw new TranscriptError('$.hostCalls', 'expected an array');
  const hostCalls = root['hostCalls'].map((raw: unknown, index): TranscriptHostCall => {
    const at = `$.hostCalls[${index}]`;
    const call = object(raw, at);
    const outcome = string(call['outcome'], `${at}.outcome`);
    if (!OUTCOMES.has(outcome)) throw new TranscriptError(`${at}.outcome`, `unknown outcome "${outcome}"`);
    const encoding = call['outputEncoding'];
    if (encoding !== 'text' && encoding !== 'base64') {
      throw new TranscriptError(`${at}.outputEncoding`, 'expected "text" or "base64"');
    }
    const decisions = call['decisions'] ?? [];
    if (!Array.isArray(decisions)) throw new TranscriptError(`${at}.decisions`, 'expected an array');
    return {
      function: string(call['function'], `${at}.function`),
      input: string(call['input'], `${at}.input`),
      output: string(call['output'], `${at}.output`),
      outputEncoding: encoding,
      outcome: outcome as TranscriptHostCall['outcome'],
      pluginId: string(call['pluginId'] ?? pluginId, `${at}.pluginId`),
      exportName: string(call['exportName'] ?? '', `${at}.exportName`),
      decisions: decisions as PermissionDecision[],
    };
  });
  const calls = root['calls'] === undefined ? undefined : parseCalls(root['calls'], object, string);
  return { format: 'plinth-transcript', version: 1, pluginId, hostCalls, ...(calls ? { calls } : {}) };
}

function parseCalls(
  value: unknown,
  object: (v: unknown, path: string) => Record<string, unknown>,
  string: (v: unknown, path: string) => string,
): HarnessCall[] {
  if (!Array.isArray(value)) throw new TranscriptError('$.calls', 'expected an array');
  return value.map((raw: unknown, index): HarnessCall => {
    const at = `$.calls[${index}]`;
    const call = object(raw, at);
    const optional = (key: 'command' | 'event' | 'code'): Partial<Record<typeof key, string>> =>
      call[key] === undefined ? {} : { [key]: string(call[key], `${at}.${key}`) };
    const outcome = call['outcome'];
    if (outcome !== 'ok' && outcome !== 'error') {
      throw new TranscriptError(`${at}.outcome`, 'expected "ok" or "error"');
    }
    const fuelUsed = call['fuelUsed'];
    if (fuelUsed !== undefined && !(Number.isSafeInteger(fuelUsed) && (fuelUsed as number) >= 0)) {
      throw new TranscriptError(`${at}.fuelUsed`, 'expected a whole number of 0 or more');
    }
    return {
      exportName: string(call['exportName'], `${at}.exportName`),
      ...optional('command'),
      ...optional('event'),
      outcome,
      ...optional('code'),
      ...(fuelUsed === undefined ? {} : { fuelUsed: fuelUsed as number }),
    };
  });
}
