import { readFileSync } from 'node:fs';
import { createAllowAllChecker } from '@plinth/permissions';
import { describe, expect, it } from 'vitest';
import type { HostBundle } from '@plinth/host-kit';
import { openProtocolPluginFrom, type OpenProtocolPluginOptions } from '../open-plugin.js';
import { PluginRegistry } from '../registry/plugin-registry.js';
import { createIsolatedLane } from './isolated-lane.js';

// The guest corpus lives in @plinth/testkit, which the runtime may not import: read it by path.
const corpus = new URL('../../../guests/corpus/', import.meta.url);
interface Guest {
  name: string;
  path: string;
  outcome?: string;
  triggers?: { outcome?: string }[];
}
const guests = JSON.parse(readFileSync(new URL('guests.json', corpus), 'utf8')) as Guest[];
const getGuest = (name: string): Guest => {
  const guest = guests.find((g) => g.name === name);
  if (!guest) throw new Error(`no guest ${name} in the corpus`);
  return guest;
};
const guestBytes = (name: string) => new Uint8Array(readFileSync(new URL(getGuest(name).path, corpus)));

/** Hostile guests that never return, or need async host functions, through the full stack on the isolated lane. */
const options = (
  name: string,
  extra: Partial<OpenProtocolPluginOptions> = {},
): OpenProtocolPluginOptions => ({
  source: { bytes: guestBytes(name) },
  hostAppVersion: '1.0.0',
  lane: createIsolatedLane,
  limits: { timeoutMs: 400, memoryMaxPages: 16 },
  ...extra,
});

/**
 * After a limit, the same plugin object answers again on a fresh worker. These guests spin in every
 * command, so the check calls their (well-behaved) manifest export.
 */
async function expectServing(plugin: {
  id: string;
  callRaw(e: string, i: string): Promise<{ output: Uint8Array | null }>;
}) {
  const { output } = await plugin.callRaw('manifest', '');
  expect(JSON.parse(new TextDecoder().decode(output ?? new Uint8Array()))).toMatchObject({ id: plugin.id });
}

describe('hostile guests through the runtime (isolated lane)', () => {
  it('stops an infinite loop in a command with a typed timeout, and the plugin serves again', async () => {
    expect(getGuest('hostile-loop-command').outcome).toBe('limit:timeout');
    const plugin = await openProtocolPluginFrom(
      options('hostile-loop-command', { expectedId: 'hostile.loop-command' }),
    );
    await expect(plugin.command('spin')).rejects.toMatchObject({
      code: 'timeout',
      context: { pluginId: 'hostile.loop-command', exportName: 'handle_command', limit: 'timeoutMs' },
    });
    await expectServing(plugin);
    await plugin.shutdown();
  });

  it('refuses to load a plugin whose manifest or init never returns', async () => {
    for (const [name, id] of [
      ['hostile-loop-manifest', 'hostile.loop-manifest'],
      ['hostile-loop-init', 'hostile.loop-init'],
    ] as const) {
      await expect(openProtocolPluginFrom(options(name, { expectedId: id })), name).rejects.toMatchObject({
        code: 'timeout',
        context: { limit: 'timeoutMs' },
      });
    }
  });

  it('holds unbounded memory growth at the cap until the call is stopped', async () => {
    const plugin = await openProtocolPluginFrom(
      options('hostile-memory-grow', { expectedId: 'hostile.memory-grow' }),
    );
    const error = await plugin.command('grow').catch((e: unknown) => e);
    expect(['timeout', 'out_of_memory']).toContain((error as { code: string }).code);
    await expectServing(plugin);
    await plugin.shutdown();
  });

  it('refuses a plugin calling its own command, and stops a cross-plugin cycle at the depth limit', async () => {
    const registry = new PluginRegistry({ permissions: createAllowAllChecker() });
    const bundle: HostBundle = registry.bundle();
    await registry.load('hostile.command-self', () =>
      openProtocolPluginFrom(options('hostile-command-self', { expectedId: 'hostile.command-self', bundle })),
    );
    const self = await registry.command('hostile.command-self', 'call_self');
    expect(JSON.parse(self.data as string)).toEqual({
      success: false,
      error: 'host_plugin_command: plugin hostile.command-self may not call its own commands (call_self)',
    });

    // Two copies of one guest under different ids bounce a command back and forth.
    const trigger = getGuest('hostile-command-recursion').triggers?.[0];
    expect(trigger?.outcome).toBe('limit:depth');
    for (const id of ['a.bounce', 'b.bounce']) {
      await registry.load(id, () =>
        openProtocolPluginFrom(
          options('hostile-command-recursion', {
            expectedId: id,
            bundle,
            config: { plugin_id: id },
            limits: { timeoutMs: 5_000 },
          }),
        ),
      );
    }
    const answer = await registry.command('a.bounce', 'bounce', { target: 'b.bounce', back: 'a.bounce' });
    expect(JSON.stringify(answer)).toContain(
      'cross-plugin call cycle refused: a.bounce → b.bounce → a.bounce',
    );
    expect(registry.list().map((p) => p.state)).toEqual(['active', 'active', 'active']);
    await registry.close();
  });
});
