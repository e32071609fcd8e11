import { createPolicyChecker } from '@plinth/permissions';
import { createPermissionGate, type HostBundle } from '@plinth/host-kit';
import { openProtocolPluginFrom } from '@plinth/runtime';
import { describe, expect, it } from 'vitest';
import { guestBytes, guestPath } from '@plinth/guests';
import '../vitest/index.js';
import { transcriptSnapshot } from '../vitest/index.js';
import { createPluginHarness } from './plugin-harness.js';
import { createReplayBundle } from './replay.js';
import { createHostCallRecorder, parseTranscript, TranscriptError } from './transcript.js';

const hostBundle: HostBundle = { host_log: () => '', host_get_timestamp: () => '1700000000000' };

async function open(
  name: string,
  bundle: HostBundle,
  onHostCall?: ReturnType<typeof createHostCallRecorder>['onHostCall'],
) {
  return openProtocolPluginFrom({
    source: { bytes: guestBytes(name) },
    hostAppVersion: '1.0.0',
    bundle,
    ...(onHostCall ? { onHostCall } : {}),
  });
}

describe('host call recorder', () => {
  it('records requests, wire answers and the calling export', async () => {
    const recorder = createHostCallRecorder();
    const plugin = await open('c-protocol', recorder.wrap(hostBundle), recorder.onHostCall);
    await plugin.command('greet', { name: 'Ada' });
    await plugin.command('time', null);
    await plugin.shutdown();
    expect(recorder).toHaveCalledHostFunction('host_log');
    expect(recorder).toHaveCalledHostFunction('host_get_timestamp');
    expect(recorder).not.toHaveCalledHostFunction('host_read_file');
    const log = recorder.hostCalls.find((call) => call.function === 'host_log');
    expect(log).toMatchObject({
      output: '',
      outcome: 'ok',
      exportName: 'handle_command',
      outputEncoding: 'text',
    });
    expect(JSON.parse(log?.input ?? '')).toMatchObject({ message: expect.stringContaining('Ada') });
    expect(recorder).toHaveCalledHostFunction('host_log', { message: expect.stringContaining('Ada') });
    expect(recorder).not.toHaveCalledHostFunction('host_log', { message: 'nobody' });
    expect(() => expect(recorder).toHaveCalledHostFunction('host_read_file')).toThrow(
      /expected the plugin to call host_read_file; host calls made:\n {2}host_log /,
    );
    expect(() => expect(recorder).toHaveBeenDeniedPermission('read_files')).toThrow(
      /permission checks made:\n {2}\(none\)/,
    );
  });

  it('attaches permission decisions to the host call that made them', async () => {
    const recorder = createHostCallRecorder();
    const permissions = createPolicyChecker({
      policy: {
        plugins: {
          'hostile.http-ungranted': { permissions: { http_requests: { include: ['granted.example'] } } },
        },
      },
      audit: recorder.audit,
    });
    const gate = createPermissionGate({ permissions });
    const bundle: HostBundle = {
      host_http_request: (request, context) =>
        gate.guard('host_http_request', 'http_requests', request.url, context, () => {
          throw new Error('no request may be made in this test');
        }),
    };
    const plugin = await open('hostile-http-ungranted', recorder.wrap(bundle), recorder.onHostCall);
    await plugin.command('fetch_ungranted', null);
    await plugin.shutdown();
    expect(recorder).toHaveBeenDeniedPermission('http_requests', 'https://not-granted.example/');
    expect(recorder).not.toHaveBeenDeniedPermission('read_files');
    const [call] = recorder.hostCalls;
    expect(call?.decisions).toHaveLength(1);
    const message =
      "host_http_request: Permission not configured for plugin 'hostile.http-ungranted': http_requests on " +
      "'https://not-granted.example/'. Add plugins.hostile.http-ungranted.permissions.http_requests to the policy.";
    expect(JSON.parse(call?.output ?? '')).toEqual({ status: 0, headers: {}, body: message, error: message });
    expect(transcriptSnapshot(recorder)[0]?.permissions).toEqual([
      "http_requests on 'https://not-granted.example/': not_configured",
    ]);
  });
});

describe('record and replay', () => {
  it('replays a plugin against a saved transcript with the same answers', async () => {
    const recorder = createHostCallRecorder();
    const recorded = await open('c-protocol', recorder.wrap(hostBundle), recorder.onHostCall);
    const original = await recorded.command('time', null);
    await recorded.shutdown();
    const transcript = parseTranscript(JSON.parse(JSON.stringify(recorder.toTranscript(recorded.id))));

    const replay = createReplayBundle(transcript);
    const replayed = await open('c-protocol', replay.bundle);
    expect(await replayed.command('time', null)).toEqual(original);
    expect(replay.divergences).toEqual([]);
    expect(replay.unused()).toEqual([]);
    await replayed.shutdown();
  });

  it('reports a host call the transcript does not have, and answers it with a failure', async () => {
    const recorder = createHostCallRecorder();
    const recorded = await open('c-protocol', recorder.wrap(hostBundle), recorder.onHostCall);
    await recorded.command('greet', { name: 'Ada' });
    await recorded.shutdown();

    const replay = createReplayBundle(recorder.toTranscript(recorded.id));
    const replayed = await open('c-protocol', replay.bundle);
    await replayed.command('greet', { name: 'Grace' });
    await replayed.shutdown();
    expect(replay.divergences).toHaveLength(1);
    expect(replay.divergences[0]).toMatchObject({ function: 'host_log' });
    expect(replay.divergences[0]?.request).toContain('Grace');
    expect(replay.divergences[0]?.expected).toContain('Ada');
    expect(replay.unused().map((call) => call.function)).toEqual(['host_log']);
  });

  it('keeps the guest calls with their fuel through a save and a parse', async () => {
    const harness = await createPluginHarness({ wasm: guestPath('c-protocol') });
    await harness.command('greet', { name: 'Ada' });
    await harness.command('ping');
    await harness.close();
    const saved = harness.transcript();
    expect(saved.calls?.map((call) => [call.command, call.outcome])).toEqual([
      ['greet', 'ok'],
      ['ping', 'ok'],
    ]);
    expect(saved.calls?.every((call) => (call.fuelUsed ?? 0) > 0)).toBe(true);
    const parsed = parseTranscript(JSON.parse(JSON.stringify(saved)));
    expect(parsed).toEqual(saved);
    // A transcript saved before guest calls were kept still parses, without them.
    const { calls: _calls, ...older } = saved;
    expect(parseTranscript(JSON.parse(JSON.stringify(older)))).not.toHaveProperty('calls');
  });

  it.each<[string, unknown, string, string]>([
    ['calls that are not an array', { exportName: 'x' }, '$.calls', 'expected an array'],
    ['an entry that is not an object', ['ping'], '$.calls[0]', 'expected an object'],
    ['an entry without an export', [{ outcome: 'ok' }], '$.calls[0].exportName', 'expected a string'],
    [
      'an unknown outcome',
      [{ exportName: 'handle_command', outcome: 'maybe' }],
      '$.calls[0].outcome',
      'expected "ok" or "error"',
    ],
    [
      'a command that is not text',
      [{ exportName: 'handle_command', command: 7, outcome: 'ok' }],
      '$.calls[0].command',
      'expected a string',
    ],
    [
      'negative fuel',
      [
        { exportName: 'get_config', outcome: 'ok' },
        { exportName: 'handle_command', outcome: 'ok', fuelUsed: -1 },
      ],
      '$.calls[1].fuelUsed',
      'expected a whole number of 0 or more',
    ],
    [
      'fractional fuel',
      [{ exportName: 'handle_command', outcome: 'ok', fuelUsed: 1.5 }],
      '$.calls[0].fuelUsed',
      'expected a whole number of 0 or more',
    ],
  ])('refuses a transcript with %s, naming the path', (_name, calls, path, problem) => {
    const file = { format: 'plinth-transcript', version: 1, pluginId: 'a.b', hostCalls: [], calls };
    expect(() => parseTranscript(file)).toThrow(new TranscriptError(path, problem));
  });

  it('names the field that makes a transcript file invalid', () => {
    expect(() =>
      parseTranscript({ format: 'plinth-transcript', version: 1, pluginId: 'a.b', hostCalls: [{}] }),
    ).toThrow(new TranscriptError('$.hostCalls[0].outcome', 'expected a string'));
    expect(() => parseTranscript({ format: 'other' })).toThrow(/\$\.format/);
  });
});
