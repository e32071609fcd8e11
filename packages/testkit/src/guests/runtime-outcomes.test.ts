import { openPlugin, openProtocolPluginFrom, type OpenProtocolPluginOptions } from '@plinth/runtime';
import { describe, expect, it } from 'vitest';
import { guestBytes, listGuests, RUNTIME_OUTCOME_CODES, type GuestInfo } from '@plinth/guests';

/**
 * Every hostile guest whose documented outcome the runtime alone decides, run through the full stack
 * (loader, lane, protocol layer) on the in-thread lane. Guests that never return (timeouts, unbounded
 * growth) run on the isolated lane in `runtime-outcomes.isolated.test.ts`; outcomes decided by host
 * bundles (`denied:*`, `rejected:*`, `scoped:*`, storage quota, event rates) belong to @plinth/host-node.
 */

const inThread = listGuests({ kind: 'hostile' }).filter(
  (guest) => guest.outcome && guest.outcome in RUNTIME_OUTCOME_CODES,
);

const idFor = (guest: GuestInfo) => guest.name.replace(/^hostile-/, 'hostile.');
const base = (guest: GuestInfo): OpenProtocolPluginOptions => ({
  source: { bytes: guestBytes(guest.name) },
  hostAppVersion: '1.0.0',
  expectedId: idFor(guest),
  limits: { outputMaxBytes: 1024 * 1024 },
});

describe('hostile guests through the runtime (in-thread lane)', () => {
  it('covers the runtime outcomes of the corpus', () => {
    expect(inThread.map((guest) => guest.name).sort()).toEqual([
      'hostile-id-mismatch',
      'hostile-import-env',
      'hostile-import-unknown',
      'hostile-import-wasi',
      'hostile-manifest-huge',
      'hostile-manifest-invalid-json',
      'hostile-min-app-version',
      'hostile-no-output',
      'hostile-output-huge',
      'hostile-output-invalid-json',
      'hostile-output-invalid-utf8',
      'hostile-protocol-version',
      'hostile-stack-overflow',
      'hostile-trap-unreachable',
    ]);
  });

  it.each(inThread.map((guest) => [guest.name, guest] as const))('%s', async (_name, guest) => {
    const code = RUNTIME_OUTCOME_CODES[guest.outcome ?? ''];
    const trigger = guest.trigger ?? {};
    const phase = trigger.phase ?? (trigger.export === 'manifest' ? 'load' : 'call');
    if (phase !== 'call') {
      const error = await openProtocolPluginFrom(base(guest)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, guest.name).toMatchObject({ code, context: { pluginId: idFor(guest) } });
      return;
    }
    const plugin = await openProtocolPluginFrom(base(guest));
    const request = JSON.parse(trigger.input ?? '{}') as { command: string; params: null };
    for (let attempt = 0; attempt < 2; attempt++) {
      // Twice: the failure is typed each time and the plugin stays usable.
      await expect(plugin.command(request.command, request.params), guest.name).rejects.toMatchObject({
        code,
        context: { pluginId: plugin.id, exportName: 'handle_command' },
      });
    }
    await plugin.shutdown();
  });

  it('caps or refuses modules whose memory is unbounded or too large', async () => {
    for (const name of ['hostile-memory-unbounded', 'hostile-memory-too-large']) {
      const capped = await openPlugin({
        source: { bytes: guestBytes(name) },
        limits: { memoryMaxPages: 16 },
      });
      expect(capped.loaded.memory, name).toMatchObject({ action: 'capped', effectiveMax: 16 });
      await capped.close();
      await expect(
        openPlugin({
          source: { bytes: guestBytes(name) },
          limits: { memoryMaxPages: 16, onUnboundedMemory: 'refuse' },
        }),
        name,
      ).rejects.toMatchObject({ code: 'memory_refused' });
    }
  });
});
