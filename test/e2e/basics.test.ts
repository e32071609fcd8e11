import { openProtocolPluginFrom, type ProtocolPlugin } from '@plinth/runtime';
import { type HostBundle } from '@plinth/host-kit';
import { createIsolatedLane } from '@plinth/runtime/node';
import { createBasicBundles } from '@plinth/host-node/basics';
import { guestBytes } from '@plinth/testkit';
import { createMemoryBasics, createManualClock } from '@plinth/testkit/twins';
import { afterEach, describe, expect, it } from 'vitest';

const AT = 1_796_149_294_789;
const open: ProtocolPlugin[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((plugin) => plugin.shutdown()));
});

async function load(guest: string, expectedId: string, basics: { bundle: HostBundle }, isolated = false) {
  const plugin = await openProtocolPluginFrom({
    source: { bytes: guestBytes(guest) },
    hostAppVersion: '1.0.0',
    expectedId,
    bundle: basics.bundle,
    ...(isolated ? { lane: createIsolatedLane } : {}),
  });
  open.push(plugin);
  return plugin;
}

describe('basic host functions through real guests', () => {
  it.each([
    ['in-thread', false],
    ['isolated', true],
  ])('c-protocol greet logs through host_log and time reads the clock (%s lane)', async (_lane, isolated) => {
    const basics = createMemoryBasics({ clock: createManualClock(AT, 60) });
    const plugin = await load('c-protocol', 'plinth-golden.c', basics, isolated);
    expect(await plugin.command('greet', { name: 'Zoë' })).toEqual({ success: true, data: 'Hello, Zoë!' });
    expect(await plugin.command('time', null)).toEqual({ success: true, data: AT });
    expect(basics.log.entries.filter((entry) => entry.message.startsWith('greeting'))).toEqual([
      {
        pluginId: 'plinth-golden.c',
        pluginVersion: expect.any(String) as string,
        level: 'info',
        message: 'greeting Zoë',
      },
    ]);
  });

  it('a log line with a newline from a guest reaches the JSON sink as one escaped line', async () => {
    let written = '';
    const basics = createBasicBundles({
      log: { stream: { write: (chunk: string) => (written += chunk) } },
      now: () => AT,
    });
    const plugin = await load('c-protocol', 'plinth-golden.c', basics);
    await plugin.command('greet', { name: 'x\nFAKE admin' });
    const greeting = written.split('\n').filter((line) => line.includes('greeting'));
    expect(greeting).toHaveLength(1);
    expect(JSON.parse(greeting[0]!)).toMatchObject({
      level: 'info',
      plugin_id: 'plinth-golden.c',
      message: 'greeting x\\nFAKE admin',
    });
  });

  it('hostile-events-flood: the event rate limit answers S failures, the host stays responsive', async () => {
    const basics = createMemoryBasics({ eventsPerSecond: 100 });
    const plugin = await load('hostile-events-flood', 'hostile.events-flood', basics, true);
    expect(await plugin.command('flood', { count: 5_000 })).toEqual({
      success: true,
      data: {
        calls: 5_000,
        non_empty: 4_900,
        first_non_empty:
          'host_emit_event: rate limit exceeded: at most 100 events per second (eventsPerSecond); event dropped',
      },
    });
    expect(basics.events.events).toHaveLength(100);
    // Same second, so still limited, but answered.
    expect(await plugin.command('flood', { count: 1 })).toMatchObject({ data: { calls: 1, non_empty: 1 } });
    expect(basics.events.events[0]).toEqual({
      pluginId: 'hostile.events-flood',
      pluginVersion: expect.any(String) as string,
      payload: { event_type: 'hostile.flood', payload: {} },
    });
  });
});
