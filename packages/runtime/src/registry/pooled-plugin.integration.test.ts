import { readFileSync } from 'node:fs';
import { createAllowAllChecker } from '@plinth/permissions';
import { describe, expect, it, vi } from 'vitest';
import { createIsolatedLane } from '../node/isolated-lane.js';
import { openProtocolPluginFrom, type OpenProtocolPluginOptions } from '../open-plugin.js';
import type { PluginHandle } from './plugin-handle.js';
import { PluginRegistry } from './plugin-registry.js';
import { openPooledPlugin } from './pooled-plugin.js';

// The guest corpus lives in @plinth/testkit, which the runtime may not import: read it by path.
const guestBytes = (path: string) =>
  new Uint8Array(readFileSync(new URL(`../../../guests/corpus/${path}/plugin.wasm`, import.meta.url)));

/**
 * An opener of isolated-lane instances of a corpus guest that numbers them and records, per instance,
 * the commands it served and whether it was shut down.
 */
function isolated(path: string, extra: Partial<OpenProtocolPluginOptions> = {}) {
  const bytes = guestBytes(path);
  const track = { opened: 0, served: [] as number[], shutDown: [] as number[] };
  const open = async (): Promise<PluginHandle> => {
    const index = track.opened++;
    const plugin = await openProtocolPluginFrom({
      source: { bytes },
      hostAppVersion: '1.0.0',
      lane: createIsolatedLane,
      ...extra,
    });
    const command = plugin.command.bind(plugin);
    const shutdown = plugin.shutdown.bind(plugin);
    return Object.assign(plugin, {
      command: (...args: Parameters<typeof command>) => {
        track.served[index] = (track.served[index] ?? 0) + 1;
        return command(...args);
      },
      shutdown: async () => {
        track.shutDown.push(index);
        await shutdown();
      },
    });
  };
  return { track, open };
}

// Each test starts several workers first; on a busy machine that alone takes seconds (the limit guards hangs).
describe('pooled plugins on the isolated lane', { timeout: 30_000 }, () => {
  it('serves concurrent commands on two instances, each answer reaching its own caller', async () => {
    const { track, open } = isolated('golden/c-protocol');
    const plugin = await openPooledPlugin({ open, min: 2, max: 2 });
    expect(track.opened).toBe(2);
    const requests = Array.from({ length: 200 }, (_, n) => ({
      caller: n,
      tag: `t${n}-${'x'.repeat(n % 17)}`,
    }));
    const answers = await Promise.all(requests.map((params) => plugin.command('echo', params)));
    answers.forEach((answer, n) => expect(answer).toEqual({ success: true, data: requests[n] }));
    expect(track.served).toHaveLength(2);
    expect(track.served.every((count) => count > 0)).toBe(true);
    expect(track.served.reduce((sum, count) => sum + count, 0)).toBe(200);
    expect(plugin.stats()).toMatchObject({ size: 2, busy: 0, waiting: 0, recycled: 0 });
    await plugin.shutdown();
    expect(track.shutDown.sort()).toEqual([0, 1]);
  });

  it('fails a queued command with queue_timeout while the only instance spins, then recycles that instance', async () => {
    const recycled: unknown[] = [];
    const { track, open } = isolated('hostile/hostile-loop-command', {
      expectedId: 'hostile.loop-command',
      limits: { timeoutMs: 500 },
    });
    const plugin = await openPooledPlugin({
      open,
      max: 1,
      acquireTimeoutMs: 50,
      onRecycle: (error) => recycled.push(error),
    });
    const spinning = plugin.command('spin').catch((error: unknown) => error);
    await expect(plugin.command('spin')).rejects.toMatchObject({
      code: 'queue_timeout',
      message:
        'plugin hostile.loop-command@0.1.0 (handle_command) waited 50 ms for a free instance; all 1 are busy',
      context: {
        pluginId: 'hostile.loop-command',
        pluginVersion: '0.1.0',
        exportName: 'handle_command',
        limit: 'acquireTimeoutMs',
      },
    });
    expect(await spinning).toMatchObject({
      code: 'timeout',
      context: { pluginId: 'hostile.loop-command', exportName: 'handle_command', limit: 'timeoutMs' },
    });
    // The instance that timed out is shut down and a freshly opened one (manifest, init) takes its place.
    await vi.waitFor(
      () => expect(plugin.stats()).toMatchObject({ size: 1, idle: 1, created: 2, recycled: 1 }),
      {
        timeout: 15_000,
      },
    );
    expect(track.opened).toBe(2);
    expect(track.shutDown).toEqual([0]);
    expect(recycled).toEqual([expect.objectContaining({ code: 'timeout' })]);
    await plugin.shutdown();
    expect(track.shutDown).toEqual([0, 1]);
  });

  // Four workers start first; on a busy machine that alone can take seconds (the limit guards a deadlock).
  it(
    'still refuses a cross-plugin cycle with several instances per plugin, and nothing deadlocks',
    { timeout: 30_000 },
    async () => {
      const registry = new PluginRegistry({ permissions: createAllowAllChecker() });
      const bundle = registry.bundle();
      for (const id of ['a.bounce', 'b.bounce']) {
        const { open } = isolated('hostile/hostile-command-recursion', {
          expectedId: id,
          bundle,
          config: { plugin_id: id },
          limits: { timeoutMs: 5_000 },
        });
        // One spare instance beyond min, so calls in both directions at once never wait on each other.
        await registry.load(id, () => openPooledPlugin({ open, min: 2, max: 3 }));
      }
      const bounce = (from: string, to: string) =>
        registry.command(from, 'bounce', { target: to, back: from }).then((answer) => JSON.stringify(answer));
      const answers = await Promise.all([
        bounce('a.bounce', 'b.bounce'),
        bounce('a.bounce', 'b.bounce'),
        bounce('b.bounce', 'a.bounce'),
        bounce('b.bounce', 'a.bounce'),
      ]);
      expect(answers.slice(0, 2)).toEqual([
        expect.stringContaining('cross-plugin call cycle refused: a.bounce → b.bounce → a.bounce'),
        expect.stringContaining('cross-plugin call cycle refused: a.bounce → b.bounce → a.bounce'),
      ]);
      expect(answers.slice(2)).toEqual([
        expect.stringContaining('cross-plugin call cycle refused: b.bounce → a.bounce → b.bounce'),
        expect.stringContaining('cross-plugin call cycle refused: b.bounce → a.bounce → b.bounce'),
      ]);
      expect(registry.list().map((plugin) => plugin.state)).toEqual(['active', 'active']);
      await registry.close();
    },
  );

  it('ends opposing cross-plugin calls on saturated pools with queue_timeout instead of hanging', async () => {
    const registry = new PluginRegistry({ permissions: createAllowAllChecker() });
    const bundle = registry.bundle();
    for (const id of ['a.bounce', 'b.bounce']) {
      const { open } = isolated('hostile/hostile-command-recursion', {
        expectedId: id,
        bundle,
        config: { plugin_id: id },
        limits: { timeoutMs: 10_000 },
      });
      await registry.load(id, () => openPooledPlugin({ open, min: 2, max: 2, acquireTimeoutMs: 200 }));
    }
    // Both instances of each plugin wait on the other plugin, whose instances all wait back: no cycle in
    // any one chain, so the registry allows each call, and the queue timeout is what ends the wait.
    const answers = await Promise.all(
      ['a.bounce', 'a.bounce', 'b.bounce', 'b.bounce'].map((from) =>
        registry
          .command(from, 'bounce', { target: from === 'a.bounce' ? 'b.bounce' : 'a.bounce', back: from })
          .then((answer) => JSON.stringify(answer)),
      ),
    );
    // The first waits to expire free instances, so the calls still queued behind them may then be served.
    const queueTimeout = /waited 200 ms for a free instance; all 2 are busy/;
    for (const answer of answers) expect(answer).toMatch(/cycle refused|waited 200 ms for a free instance/);
    expect(answers.some((answer) => queueTimeout.test(answer))).toBe(true);
    expect(registry.list().map((plugin) => plugin.state)).toEqual(['active', 'active']);
    await registry.close();
  });
});
