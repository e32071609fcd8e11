import { readFileSync } from 'node:fs';
import { parseGuestManifest, PlinthError, type CommandResponse } from '@plinth/protocol';
import { describe, expect, it, vi } from 'vitest';
import { openProtocolPluginFrom } from '../open-plugin.js';
import type { PluginHandle } from './plugin-handle.js';
import { PluginRegistry } from './plugin-registry.js';
import { openPooledPlugin } from './pooled-plugin.js';

const parsed = parseGuestManifest({
  protocol_version: 1,
  id: 'acme.fake',
  name: 'Fake',
  version: '1.0.0',
  description: 'An in-memory plugin for pool tests.',
  capabilities: ['custom_commands'],
  commands: ['work', 'hold', 'crash', 'oops'],
});
if (!parsed.ok) throw new Error('the fake manifest must parse');
const manifest = parsed.value;

interface FakeInstance extends PluginHandle {
  readonly index: number;
  closed: boolean;
  /** Commands and events, in the order this instance received them. */
  readonly seen: string[];
}

/**
 * An opener of in-memory instances: `answer` decides each command; `hold` waits until the test calls
 * `releaseOne`. Every instance answers with its own index, so a test sees which one served.
 */
function fakes(
  options: {
    version?: (index: number) => string;
    event?: (instance: FakeInstance) => Promise<PlinthError | null>;
  } = {},
) {
  const instances: FakeInstance[] = [];
  const gates: (() => void)[] = [];
  const answer = (name: string, instance: FakeInstance): Promise<CommandResponse> => {
    const context = { pluginId: 'acme.fake', exportName: 'handle_command' };
    if (name === 'crash') return Promise.reject(new PlinthError('trap', 'it trapped', context));
    if (name === 'oops') return Promise.reject(new PlinthError('guest_error', 'it said no', context));
    const response = { success: true, data: instance.index };
    if (name !== 'hold') return Promise.resolve(response);
    return new Promise((resolve) => gates.push(() => resolve(response)));
  };
  const open = (): Promise<PluginHandle> => {
    const index = instances.length;
    const instance: FakeInstance = {
      index,
      closed: false,
      seen: [],
      id: 'acme.fake',
      version: options.version?.(index) ?? '1.0.0',
      manifest,
      handles: (name) => manifest.commands.includes(name),
      command: (name) => (instance.seen.push(name), answer(name, instance)),
      event: (event) => {
        instance.seen.push(`event:${event.event_type}`);
        return options.event?.(instance) ?? Promise.resolve(null);
      },
      shutdown: () => {
        instance.closed = true;
        return Promise.resolve();
      },
    };
    instances.push(instance);
    return Promise.resolve(instance);
  };
  return { instances, open, releaseOne: () => gates.shift()?.() };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const saved = { event_type: 'file_saved', payload: { path: 'Daily/a.md' } } as const;

describe('openPooledPlugin (in-memory instances)', () => {
  it('replaces an instance after a recycle code, and keeps it after an ordinary failure', async () => {
    const recycled: unknown[] = [];
    const fake = fakes();
    const plugin = await openPooledPlugin({ open: fake.open, onRecycle: (error) => recycled.push(error) });
    expect(plugin).toMatchObject({ id: 'acme.fake', version: '1.0.0', manifest });
    expect(plugin.handles('work')).toBe(true);
    expect(plugin.handles('other')).toBe(false);

    await expect(plugin.command('crash')).rejects.toMatchObject({ code: 'trap' });
    expect(fake.instances[0]?.closed).toBe(true);
    expect(recycled).toEqual([expect.objectContaining({ code: 'trap' })]);
    expect(await plugin.command('work')).toEqual({ success: true, data: 1 });

    await expect(plugin.command('oops')).rejects.toMatchObject({ code: 'guest_error' });
    expect(await plugin.command('work')).toEqual({ success: true, data: 1 });
    expect(plugin.stats()).toMatchObject({ size: 1, created: 2, recycled: 1 });
    await plugin.shutdown();
    expect(fake.instances.every((instance) => instance.closed)).toBe(true);
  });

  it('delivers an event to every instance, waiting for a busy one, and returns the first failure', async () => {
    const fake = fakes({
      event: (instance) =>
        Promise.resolve(
          instance.index === 1
            ? new PlinthError('guest_error', 'on_event failed', { pluginId: 'acme.fake' })
            : null,
        ),
    });
    const plugin = await openPooledPlugin({ open: fake.open, min: 2 });
    const holding = plugin.command('hold');
    let delivered: PlinthError | null | undefined;
    const delivery = plugin.event(saved).then((failure) => (delivered = failure));
    await settle();
    const [first, second] = fake.instances;
    const busy = first?.seen.includes('hold') ? first : second;
    expect(busy?.seen).toEqual(['hold']);
    expect(delivered).toBeUndefined();

    fake.releaseOne();
    await holding;
    await delivery;
    expect(first?.seen).toContain('event:file_saved');
    expect(second?.seen).toContain('event:file_saved');
    expect(delivered).toMatchObject({ code: 'guest_error', message: 'on_event failed' });
    // An ordinary event failure keeps the instance.
    expect(plugin.stats()).toMatchObject({ size: 2, recycled: 0 });
    await plugin.shutdown();
  });

  it('recycles an instance whose event hit a limit', async () => {
    const fake = fakes({
      event: (instance) =>
        Promise.resolve(instance.index === 0 ? new PlinthError('timeout', 'on_event timed out') : null),
    });
    const plugin = await openPooledPlugin({ open: fake.open, min: 2 });
    expect(await plugin.event(saved)).toMatchObject({ code: 'timeout' });
    await settle();
    expect(fake.instances.map((instance) => instance.closed)).toEqual([true, false, false]);
    expect(plugin.stats()).toMatchObject({ size: 2, recycled: 1 });
    expect(await plugin.event(saved)).toBeNull();
    await plugin.shutdown();
  });

  it('refuses instances that differ in id or version, at warm-up and when growing', async () => {
    const atWarmUp = fakes({ version: (index) => (index === 1 ? '2.0.0' : '1.0.0') });
    await expect(openPooledPlugin({ open: atWarmUp.open, min: 2 })).rejects.toMatchObject({
      code: 'id_mismatch',
      message:
        'pooled plugin acme.fake@1.0.0 opened an instance that declares acme.fake@2.0.0; every instance of a pool must be the same plugin and version',
      context: { pluginId: 'acme.fake', pluginVersion: '1.0.0' },
    });
    expect(atWarmUp.instances.every((instance) => instance.closed)).toBe(true);

    const whenGrowing = fakes({ version: (index) => (index === 1 ? '2.0.0' : '1.0.0') });
    const plugin = await openPooledPlugin({ open: whenGrowing.open, min: 1, max: 2 });
    const holding = plugin.command('hold');
    await expect(plugin.command('work')).rejects.toMatchObject({ code: 'id_mismatch' });
    whenGrowing.releaseOne();
    expect(await holding).toEqual({ success: true, data: 0 });
    await plugin.shutdown();
  });

  it('shutdown drains running commands and refuses new ones', async () => {
    const fake = fakes();
    const plugin = await openPooledPlugin({ open: fake.open });
    const holding = plugin.command('hold');
    const queued = plugin.command('work');
    const closing = plugin.shutdown();
    await expect(queued).rejects.toMatchObject({
      code: 'closed',
      message: 'plugin acme.fake@1.0.0 (handle_command) cannot run: the instance pool is closed',
    });
    expect(await plugin.event(saved)).toMatchObject({ code: 'closed', context: { exportName: 'on_event' } });
    expect(fake.instances[0]?.closed).toBe(false);
    fake.releaseOne();
    expect(await holding).toEqual({ success: true, data: 0 });
    await closing;
    expect(fake.instances[0]?.closed).toBe(true);
  });

  it('needs at least one instance', async () => {
    const fake = fakes();
    await expect(openPooledPlugin({ open: fake.open, min: 0 })).rejects.toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message:
          'openPooledPlugin: option `min` must be a positive whole number (the first instance names the plugin) (got 0)',
      }),
    );
    await expect(openPooledPlugin({ open: fake.open, min: 2, max: 1 })).rejects.toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message: 'openPooledPlugin: option `max` must be a whole number of at least max(min, 1) = 2 (got 1)',
      }),
    );
  });
});

describe('pooled plugins in the registry (in-thread lane, golden/c-protocol)', () => {
  const source = {
    bytes: new Uint8Array(
      readFileSync(new URL('../../../guests/corpus/golden/c-protocol/plugin.wasm', import.meta.url)),
    ),
  };
  /** Opens c-protocol instances, numbering them; each logs through its own host_log. */
  const tracked = () => {
    const track = { opened: 0, shutDown: 0, logged: [] as string[] };
    const open = async (): Promise<PluginHandle> => {
      const index = track.opened++;
      const plugin = await openProtocolPluginFrom({
        source,
        hostAppVersion: '1.0.0',
        bundle: { host_log: (request) => (track.logged.push(`${index}:${request.message}`), '') },
      });
      const shutdown = plugin.shutdown.bind(plugin);
      return Object.assign(plugin, {
        shutdown: async () => {
          track.shutDown += 1;
          await shutdown();
        },
      });
    };
    return { track, open };
  };

  it('delivers a broadcast event to every instance of a pooled plugin', async () => {
    const { track, open } = tracked();
    const registry = new PluginRegistry();
    await registry.load('plinth-golden.c', () => openPooledPlugin({ open, min: 3 }));
    await registry.broadcast(saved);
    expect(track.logged.sort()).toEqual(['0:event file_saved', '1:event file_saved', '2:event file_saved']);
    await registry.close();
    expect(track.shutDown).toBe(3);
  });

  it('refuses a pooled plugin loaded under another id', async () => {
    const { track, open } = tracked();
    const registry = new PluginRegistry();
    await expect(registry.load('acme.other', () => openPooledPlugin({ open, min: 2 }))).rejects.toMatchObject(
      {
        code: 'id_mismatch',
        message: 'plugin loaded as acme.other declares the id plinth-golden.c',
      },
    );
    expect(track.shutDown).toBe(2);
  });

  it('hot-reloads a pooled plugin under a continuous call load without losing or failing a call', async () => {
    const { track, open } = tracked();
    const registry = new PluginRegistry();
    const openPool = () => openPooledPlugin({ open, min: 1, max: 3 });
    await registry.load('plinth-golden.c', openPool);
    const calls: Promise<unknown>[] = [];
    let stop = false;
    const pump = (async () => {
      for (let i = 0; !stop; i++) {
        calls.push(
          registry
            .command('plinth-golden.c', 'echo', { i })
            .then((response) => expect(response).toEqual({ success: true, data: { i } })),
        );
        if (i % 20 === 0) await settle();
      }
    })();
    for (let reload = 0; reload < 5; reload++) await registry.reload('plinth-golden.c');
    stop = true;
    await pump;
    await Promise.all(calls);
    expect(calls.length).toBeGreaterThan(50);
    // Six pools of at least one instance each; more means the pools grew under the load.
    expect(track.opened).toBeGreaterThan(6);
    expect(registry.get('plinth-golden.c')).toMatchObject({ state: 'active', consecutiveFailures: 0 });
    await registry.close();
    await vi.waitFor(() => expect(track.shutDown).toBe(track.opened));
  });
});
