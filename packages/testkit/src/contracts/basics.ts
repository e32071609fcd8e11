import { capabilityFunctionNames, LOCAL_TIME_PATTERN, type HostFunctionName } from '@plinth/protocol';
import {
  CancellationRegistry,
  RequestFileScope,
  type EmittedEvent,
  type GuestLogEntry,
  type HostBundle,
  type HostCallContext,
  type RedactKey,
  type RuntimeContextProvider,
} from '@plinth/host-kit';
import { describe, expect, it } from 'vitest';
import { callWireSync } from './wire.js';
import { createManualClock, type ManualClock } from '../twins/basics.js';

/** What the suite hands a backend to build its bundle from; everything it needs to control. */
export interface BasicsContractSetup {
  /** Drives timestamps, local time and the rate limiters; its offset is `timeZone.offsetMinutes`. */
  clock: ManualClock;
  /** The zone the clock must report: an IANA name with a fixed offset, and that offset in minutes east. */
  timeZone: { name: string; offsetMinutes: number };
  logRatePerSecond: number;
  eventsPerSecond: number;
  runtimeContext: RuntimeContextProvider | undefined;
  redactKeys: readonly RedactKey[];
  requestFiles: RequestFileScope;
  cancellation: CancellationRegistry;
}

/** A backend under test: the bundle, and what its log sink and event bus received. */
export interface BasicsContractSubject {
  bundle: HostBundle;
  /** Every entry the backend's log sink received so far, in order. */
  logged(): readonly GuestLogEntry[];
  /** Every event the backend's event bus received so far, in order. */
  emitted(): readonly EmittedEvent[];
}

const PLUGIN: HostCallContext = {
  pluginId: 'contract.basics',
  pluginVersion: '1.2.3',
  exportName: 'handle_command',
};
const OTHER: HostCallContext = { pluginId: 'contract.other', exportName: 'handle_command' };
const AT = 1_796_149_294_789; // 2026-12-01T18:21:34.789Z

/** Serves one call at the wire: request text in, answer out (text, or bytes for raw-bytes functions). */
const serve = (
  bundle: HostBundle,
  name: HostFunctionName,
  input: string,
  context = PLUGIN,
): string | Uint8Array => callWireSync(bundle, name, input, context, true);

const text = (answer: string | Uint8Array) =>
  typeof answer === 'string' ? answer : new TextDecoder().decode(answer);

/**
 * The behaviour every implementation of the basic host functions must share, at the wire level: log
 * levels, sanitizing and rate limit, timestamps and local time, redacted runtime context, event rate
 * limit, request files and cancellation.
 */
export function describeBasicsContract(
  label: string,
  makeSubject: (setup: BasicsContractSetup) => BasicsContractSubject,
): void {
  const make = (overrides: Partial<BasicsContractSetup> = {}) => {
    const timeZone = overrides.timeZone ?? { name: 'UTC', offsetMinutes: 0 };
    const setup: BasicsContractSetup = {
      clock: createManualClock(AT, timeZone.offsetMinutes),
      timeZone,
      logRatePerSecond: 3,
      eventsPerSecond: 2,
      runtimeContext: undefined,
      redactKeys: [],
      requestFiles: new RequestFileScope(),
      cancellation: new CancellationRegistry(),
      ...overrides,
    };
    const subject = makeSubject(setup);
    const call = (name: HostFunctionName, input: unknown, context = PLUGIN) =>
      serve(subject.bundle, name, typeof input === 'string' ? input : JSON.stringify(input), context);
    return { setup, subject, call };
  };

  describe(`basics contract: ${label}`, () => {
    it('composes: provides exactly the basic functions, none of host_plugin_command', () => {
      expect(Object.keys(make().subject.bundle).sort()).toEqual(
        [...capabilityFunctionNames('basics')].sort(),
      );
    });

    it('host_log: the five levels as given, anything else as trace, info when absent', () => {
      const { subject, call } = make({ logRatePerSecond: 100 });
      for (const level of ['error', 'warn', 'info', 'debug', 'trace', 'fatal', 'WARN', ''])
        expect(call('host_log', { level, message: level })).toBe('');
      expect(call('host_log', { message: 'no level' })).toBe('');
      expect(subject.logged().map((entry) => [entry.level, entry.message])).toEqual([
        ['error', 'error'],
        ['warn', 'warn'],
        ['info', 'info'],
        ['debug', 'debug'],
        ['trace', 'trace'],
        ['trace', 'fatal'],
        ['trace', 'WARN'],
        ['trace', ''],
        ['info', 'no level'],
      ]);
      expect(subject.logged()[0]).toEqual({
        pluginId: 'contract.basics',
        pluginVersion: '1.2.3',
        level: 'error',
        message: 'error',
      });
    });

    it('host_log: escapes control characters so a guest cannot forge or hide log lines', () => {
      const { subject, call } = make();
      expect(
        call('host_log', {
          level: 'info',
          message: 'ok\n2026 INFO admin logged in\r\u001b[2J\u202egnp.exe\u0000',
        }),
      ).toBe('');
      expect(subject.logged().map((entry) => entry.message)).toEqual([
        'ok\\n2026 INFO admin logged in\\r\\u001b[2J\\u202egnp.exe\\u0000',
      ]);
    });

    it('host_log: malformed input answers the S failure and logs nothing', () => {
      const { subject, call } = make();
      expect(text(call('host_log', '{"level":"info"'))).toMatch(/^host_log: .+/);
      expect(text(call('host_log', { level: 'info' }))).toMatch(/^host_log: .*message/);
      expect(subject.logged()).toEqual([]);
    });

    it('host_log: over the rate limit answers the exact S failure, then reports the drops once', () => {
      const { setup, subject, call } = make({ logRatePerSecond: 3 });
      const answers = [1, 2, 3, 4, 5].map((n) => call('host_log', { level: 'info', message: `m${n}` }));
      const refused = 'host_log: rate limit exceeded: at most 3 messages per second; message dropped';
      expect(answers).toEqual(['', '', '', refused, refused]);
      expect(call('host_log', { level: 'info', message: 'other' }, OTHER)).toBe('');
      setup.clock.advance(1000);
      expect(call('host_log', { level: 'info', message: 'm6' })).toBe('');
      expect(call('host_log', { level: 'info', message: 'm7' })).toBe('');
      const mine = subject.logged().filter((entry) => entry.pluginId === PLUGIN.pluginId);
      expect(mine.map((entry) => [entry.level, entry.message, entry.dropped])).toEqual([
        ['info', 'm1', undefined],
        ['info', 'm2', undefined],
        ['info', 'm3', undefined],
        ['warn', '2 log messages dropped by the rate limit of 3 per second', 2],
        ['info', 'm6', undefined],
        ['info', 'm7', undefined],
      ]);
    });

    it('host_get_timestamp: milliseconds since the epoch as a decimal string', () => {
      const { setup, call } = make();
      expect(call('host_get_timestamp', '')).toBe('1796149294789');
      setup.clock.advance(1);
      expect(call('host_get_timestamp', 'ignored')).toBe('1796149294790');
    });

    it.each([
      [{ name: 'UTC', offsetMinutes: 0 }, '2026-12-01T18:21:34+00:00'],
      [{ name: 'Etc/GMT-1', offsetMinutes: 60 }, '2026-12-01T19:21:34+01:00'],
      [{ name: 'Etc/GMT+5', offsetMinutes: -300 }, '2026-12-01T13:21:34-05:00'],
      [{ name: 'Asia/Kathmandu', offsetMinutes: 345 }, '2026-12-02T00:06:34+05:45'],
      [{ name: 'Pacific/Marquesas', offsetMinutes: -570 }, '2026-12-01T08:51:34-09:30'],
    ])('host_get_now in %o: %s', (timeZone, expected) => {
      const answer = make({ timeZone }).call('host_get_now', '');
      expect(answer).toBe(expected);
      expect(answer).toMatch(LOCAL_TIME_PATTERN);
    });

    it('host_get_runtime_context: {} by default', () => {
      expect(make().call('host_get_runtime_context', '')).toBe('{}');
    });

    it('host_get_runtime_context: secrets are removed at any depth, and keys the app marks', () => {
      const { call } = make({
        redactKeys: ['tenant_internal'],
        runtimeContext: (context) => ({
          plugin: context.pluginId,
          workspace_id: 'w-1',
          author: 'Ada',
          auth_token: 'secret-1',
          tenant_internal: 'x',
          server: { url: 'https://sync.example.com', API_KEY: 'k', headers: { Authorization: 'Bearer x' } },
          accounts: [{ name: 'a', Password: 'p' }, 'Bearer abc.def'],
        }),
      });
      expect(JSON.parse(text(call('host_get_runtime_context', '')))).toEqual({
        plugin: 'contract.basics',
        workspace_id: 'w-1',
        author: 'Ada',
        server: { url: 'https://sync.example.com', headers: {} },
        accounts: [{ name: 'a' }],
      });
    });

    it('host_get_runtime_context: a provider that throws answers {}', () => {
      const { call } = make({
        runtimeContext: () => {
          throw new Error('provider down');
        },
      });
      expect(call('host_get_runtime_context', '')).toBe('{}');
    });

    it('host_emit_event: delivers any JSON with the plugin id; over the limit answers the exact S failure', () => {
      const { setup, subject, call } = make({ eventsPerSecond: 2 });
      const refused =
        'host_emit_event: rate limit exceeded: at most 2 events per second (eventsPerSecond); event dropped';
      const answers = [1, 2, 3].map((n) => call('host_emit_event', { event_type: 'tick', payload: { n } }));
      expect(answers).toEqual(['', '', refused]);
      expect(call('host_emit_event', [1, 'two'], OTHER)).toBe('');
      setup.clock.advance(500);
      expect(call('host_emit_event', '"tock"')).toBe('');
      expect(call('host_emit_event', '"tock"')).toBe(refused);
      expect(subject.emitted()).toEqual([
        {
          pluginId: 'contract.basics',
          pluginVersion: '1.2.3',
          payload: { event_type: 'tick', payload: { n: 1 } },
        },
        {
          pluginId: 'contract.basics',
          pluginVersion: '1.2.3',
          payload: { event_type: 'tick', payload: { n: 2 } },
        },
        { pluginId: 'contract.other', payload: [1, 'two'] },
        { pluginId: 'contract.basics', pluginVersion: '1.2.3', payload: 'tock' },
      ]);
    });

    it('host_emit_event: malformed JSON answers the S failure and emits nothing', () => {
      const { subject, call } = make();
      expect(text(call('host_emit_event', '{"event_type":'))).toMatch(/^host_emit_event: .+/);
      expect(subject.emitted()).toEqual([]);
    });

    it('host_request_file: the raw bytes supplied for the call, empty when absent', async () => {
      const { setup, call } = make();
      const bytes = new Uint8Array([0, 255, 1, 128]);
      expect(text(call('host_request_file', { key: 'input' }))).toBe('');
      const seen = await setup.requestFiles.run(PLUGIN.pluginId, { input: bytes }, async () => {
        await Promise.resolve();
        return [
          call('host_request_file', { key: 'input' }),
          call('host_request_file', { key: 'nope' }),
          call('host_request_file', { key: 'input' }, OTHER),
        ];
      });
      expect(
        seen.map((answer) => [...(typeof answer === 'string' ? new TextEncoder().encode(answer) : answer)]),
      ).toEqual([[0, 255, 1, 128], [], []]);
      expect(text(call('host_request_file', { key: 'input' }))).toBe('');
    });

    it('host_is_cancelled: follows the registry, per plugin; unknown and malformed answer false', () => {
      const { setup, call } = make();
      const token = setup.cancellation.create();
      const scoped = setup.cancellation.create({ pluginId: PLUGIN.pluginId });
      expect(call('host_is_cancelled', { token })).toBe('{"cancelled":false}');
      setup.cancellation.cancel(token);
      setup.cancellation.cancel(scoped);
      expect(call('host_is_cancelled', { token })).toBe('{"cancelled":true}');
      expect(call('host_is_cancelled', { token: scoped })).toBe('{"cancelled":true}');
      expect(call('host_is_cancelled', { token: scoped }, OTHER)).toBe('{"cancelled":false}');
      expect(call('host_is_cancelled', { token: 'not-a-token' })).toBe('{"cancelled":false}');
      expect(call('host_is_cancelled', '{"token": 7}')).toBe('{"cancelled":false}');
    });
  });
}
