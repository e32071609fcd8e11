import { createPolicyChecker } from '@plinth/permissions';
import { createPermissionGate, openProtocolPluginFrom, type HostBundle } from '@plinth/runtime';
import { describe, expect, it } from 'vitest';
import { guestBytes } from '../guests/catalogue.js';
import '../vitest/index.js';
import { transcriptSnapshot } from '../vitest/index.js';
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

  it('names the field that makes a transcript file invalid', () => {
    expect(() =>
      parseTranscript({ format: 'plinth-transcript', version: 1, pluginId: 'a.b', hostCalls: [{}] }),
    ).toThrow(new TranscriptError('$.hostCalls[0].outcome', 'expected a string'));
    expect(() => parseTranscript({ format: 'other' })).toThrow(/\$\.format/);
  });
});
