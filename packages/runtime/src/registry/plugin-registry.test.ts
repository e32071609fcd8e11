import { readFileSync } from 'node:fs';
import { createAllowAllChecker } from '@plinth/permissions';
import { PlinthError, type JsonValue } from '@plinth/protocol';
import { describe, expect, it, vi } from 'vitest';
import type { HostBundle } from '@plinth/host-kit';
import { createInThreadLane } from '../lanes/in-thread-lane.js';
import { resolveLimits } from '../limits.js';
import { ProtocolPlugin } from '../protocol/protocol-plugin.js';
import type { PluginHandle } from './plugin-handle.js';
import { PluginRegistry, type CallRecord } from './plugin-registry.js';
import { openPooledPlugin } from './pooled-plugin.js';

const modules = new Map<string, WebAssembly.Module>();
const moduleOf = (path: string) => {
  let module = modules.get(path);
  if (!module) {
    module = new WebAssembly.Module(
      readFileSync(new URL(`../../../guests/corpus/${path}/plugin.wasm`, import.meta.url)),
    );
    modules.set(path, module);
  }
  return module;
};

/** An opener for a corpus guest on the in-thread lane, counting shutdowns. */
function opener(path: string, bundle: HostBundle = { host_log: () => '' }, shutdowns = { count: 0 }) {
  return async (): Promise<PluginHandle> => {
    const lane = await createInThreadLane({ module: moduleOf(path), bundle, limits: resolveLimits() });
    const plugin = await ProtocolPlugin.open({
      lane,
      hostAppVersion: '1.0.0',
      initContext: { workspace_root: null },
    });
    const shutdown = plugin.shutdown.bind(plugin);
    return Object.assign(plugin, {
      shutdown: async () => {
        shutdowns.count += 1;
        await shutdown();
      },
    });
  };
}

describe('PluginRegistry', () => {
  it('tells a change listener about loads, reloads and unloads, after they took effect', async () => {
    const changes: string[] = [];
    const registry: PluginRegistry = new PluginRegistry({
      onChange: (change) =>
        changes.push(`${change.type} ${change.pluginId} ${registry.get(change.pluginId)?.state ?? 'gone'}`),
    });
    await registry.load('plinth-golden.c', opener('golden/c-protocol'));
    await registry.reload('plinth-golden.c');
    await registry.unload('plinth-golden.c');
    expect(changes).toEqual([
      'loaded plinth-golden.c active',
      'reloaded plinth-golden.c active',
      'unloaded plinth-golden.c gone',
    ]);
  });

  it('loads, lists, routes commands, records calls and unloads', async () => {
    const records: CallRecord[] = [];
    const registry = new PluginRegistry({ onCall: (record) => records.push(record) });
    await registry.load('plinth-golden.c', opener('golden/c-protocol'));
    expect(registry.list()).toEqual([
      {
        id: 'plinth-golden.c',
        version: '1.0.0',
        state: 'active',
        manifest: expect.objectContaining({
          id: 'plinth-golden.c',
          commands: ['ping', 'echo', 'greet', 'time'],
        }),
        consecutiveFailures: 0,
        error: undefined,
        // The C guest's linear memory, read from the in-thread instance.
        memoryBytes: expect.any(Number),
      },
    ]);
    expect(await registry.command('plinth-golden.c', 'echo', { a: 1 })).toEqual({
      success: true,
      data: { a: 1 },
    });
    expect(records).toEqual([
      expect.objectContaining({ pluginId: 'plinth-golden.c', kind: 'command', name: 'echo', outcome: 'ok' }),
    ]);
    await expect(registry.load('plinth-golden.c', opener('golden/c-protocol'))).rejects.toMatchObject({
      code: 'load_failed',
    });
    await registry.unload('plinth-golden.c');
    expect(registry.list()).toEqual([]);
    await expect(registry.command('plinth-golden.c', 'ping')).rejects.toMatchObject({
      code: 'not_handled',
      message: 'no plugin plinth-golden.c is loaded',
    });
  });

  it('refuses a plugin whose manifest id differs from the id it is loaded under', async () => {
    const registry = new PluginRegistry();
    await expect(registry.load('acme.other', opener('golden/c-protocol'))).rejects.toMatchObject({
      code: 'id_mismatch',
      message: 'plugin loaded as acme.other declares the id plinth-golden.c',
    });
    expect(registry.list()).toEqual([]);
  });

  it('hot-reloads under a continuous call load without losing or failing a call', async () => {
    const shutdowns = { count: 0 };
    const registry = new PluginRegistry();
    await registry.load('plinth-golden.c', opener('golden/c-protocol', undefined, shutdowns));
    const calls: Promise<unknown>[] = [];
    let stop = false;
    const pump = (async () => {
      for (let i = 0; !stop; i++) {
        calls.push(
          registry
            .command('plinth-golden.c', 'echo', i)
            .then((r) => expect(r).toEqual({ success: true, data: i })),
        );
        if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
    })();
    for (let reload = 0; reload < 5; reload++) {
      await registry.reload('plinth-golden.c');
    }
    stop = true;
    await pump;
    await Promise.all(calls);
    expect(calls.length).toBeGreaterThan(50);
    expect(shutdowns.count).toBe(5);
    expect(registry.get('plinth-golden.c')?.state).toBe('active');
    await registry.close();
    expect(shutdowns.count).toBe(6);
  });

  it('keeps the old instance serving when a reload fails', async () => {
    const log = vi.fn();
    const registry = new PluginRegistry({ log });
    await registry.load('plinth-golden.c', opener('golden/c-protocol'));
    await expect(registry.reload('plinth-golden.c', opener('golden/rust-protocol'))).rejects.toMatchObject({
      code: 'id_mismatch',
    });
    await expect(
      registry.reload('plinth-golden.c', () => Promise.reject(new PlinthError('trap', 'init trapped'))),
    ).rejects.toMatchObject({ code: 'trap' });
    expect(await registry.command('plinth-golden.c', 'ping')).toEqual({ success: true, data: 'pong' });
    expect(registry.get('plinth-golden.c')).toMatchObject({ state: 'active', error: { code: 'trap' } });
    expect(log).toHaveBeenCalledWith(
      expect.objectContaining({ level: 'error', message: expect.stringContaining('keeps serving') }),
    );
    await registry.close();
  });

  it('quarantines a plugin after consecutive faults, and a reload brings it back', async () => {
    const registry = new PluginRegistry({ failurePolicy: { maxConsecutiveFailures: 3 } });
    await registry.load('hostile.trap-unreachable', opener('hostile/hostile-trap-unreachable'));
    for (let i = 0; i < 3; i++) {
      await expect(registry.command('hostile.trap-unreachable', 'crash')).rejects.toMatchObject({
        code: 'trap',
      });
    }
    expect(registry.get('hostile.trap-unreachable')).toMatchObject({
      state: 'quarantined',
      consecutiveFailures: 3,
    });
    await expect(registry.command('hostile.trap-unreachable', 'crash')).rejects.toMatchObject({
      code: 'quarantined',
      message: expect.stringContaining('quarantined after 3 consecutive failures'),
    });
    // A caller's mistake does not count against the plugin.
    await registry.reload('hostile.trap-unreachable');
    for (let i = 0; i < 5; i++) {
      await expect(registry.command('hostile.trap-unreachable', 'undeclared')).rejects.toMatchObject({
        code: 'not_handled',
      });
    }
    expect(registry.get('hostile.trap-unreachable')).toMatchObject({
      state: 'active',
      consecutiveFailures: 0,
    });
    await registry.close();
  });

  it('quarantines a plugin by hand with its reason until a reload, and tells the change listener once', async () => {
    const changes: string[] = [];
    const registry = new PluginRegistry({ onChange: (change) => changes.push(change.type) });
    await registry.load('plinth-golden.c', opener('golden/c-protocol'));
    expect(registry.quarantine('plinth-golden.c', 'it spams the log')).toMatchObject({
      state: 'quarantined',
      error: {
        code: 'quarantined',
        message: 'plugin plinth-golden.c is quarantined by hand: it spams the log',
      },
    });
    // Already quarantined: nothing changes, nobody is told again.
    expect(registry.quarantine('plinth-golden.c')).toMatchObject({ state: 'quarantined' });
    await expect(registry.command('plinth-golden.c', 'ping')).rejects.toMatchObject({
      code: 'quarantined',
      message: 'plugin plinth-golden.c is quarantined by hand: it spams the log; reload it to serve again',
    });
    await registry.reload('plinth-golden.c');
    expect(registry.get('plinth-golden.c')).toMatchObject({ state: 'active', error: undefined });
    expect(await registry.command('plinth-golden.c', 'ping')).toMatchObject({ success: true });
    expect(changes).toEqual(['loaded', 'quarantined', 'reloaded']);
    expect(() => registry.quarantine('acme.none')).toThrow(
      expect.objectContaining({ code: 'not_handled', message: 'no plugin acme.none is loaded' }),
    );
    await registry.close();
  });

  it('answers params nested 100,000 levels deep with invalid_params; the plugin stays loaded and usable', async () => {
    const records: CallRecord[] = [];
    const registry = new PluginRegistry({
      failurePolicy: { maxConsecutiveFailures: 2 },
      onCall: (record) => records.push(record),
    });
    await registry.load('plinth-golden.c', opener('golden/c-protocol'));
    let deep: JsonValue = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    // More attempts than the failure policy tolerates: a caller's mistake never counts against the plugin.
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(registry.command('plinth-golden.c', 'echo', deep)).rejects.toMatchObject({
        code: 'invalid_params',
        message: expect.stringMatching(
          /^plugin plinth-golden\.c@1\.0\.0 \(handle_command\) command "echo": params nested deeper than 256 levels: level 257 opens at \$\.a\.a/,
        ) as unknown,
      });
    }
    expect(registry.get('plinth-golden.c')).toMatchObject({ state: 'active', consecutiveFailures: 0 });
    expect(records.map((record) => record.code)).toEqual(Array(3).fill('invalid_params'));
    expect(await registry.command('plinth-golden.c', 'echo', { a: [1] })).toEqual({
      success: true,
      data: { a: [1] },
    });
    await registry.close();
  });

  it('broadcasts events to every active plugin', async () => {
    const logged: string[] = [];
    const bundle: HostBundle = { host_log: (request) => (logged.push(request.message), '') };
    const registry = new PluginRegistry();
    await registry.load('plinth-golden.c', opener('golden/c-protocol', bundle));
    await registry.load('plinth-golden.rust', opener('golden/rust-protocol', bundle));
    await registry.broadcast({ event_type: 'file_saved', payload: { path: 'Daily/a.md' } });
    expect(logged.sort()).toEqual(['event file_saved', 'on_event: file_saved']);
    await registry.close();
  });

  it('skips the plugin named in except when broadcasting', async () => {
    const logged: string[] = [];
    const bundle: HostBundle = { host_log: (request) => (logged.push(request.message), '') };
    const registry = new PluginRegistry();
    await registry.load('plinth-golden.c', opener('golden/c-protocol', bundle));
    await registry.load('plinth-golden.rust', opener('golden/rust-protocol', bundle));
    await registry.broadcast(
      { event_type: 'file_saved', payload: { path: 'Daily/a.md' } },
      { except: 'plinth-golden.rust' },
    );
    expect(logged).toEqual(['event file_saved']);
    await registry.close();
  });
});

describe('PluginRegistry.deliver (raw exports, e.g. WebSocket frames)', () => {
  const FILE_SAVED = '{"event_type":"file_saved","payload":{"path":"Daily/a.md"}}';

  it('calls an export the module has, counted as an event named by the export', async () => {
    const logged: string[] = [];
    const bundle: HostBundle = { host_log: (request) => (logged.push(request.message), '') };
    const records: CallRecord[] = [];
    const registry = new PluginRegistry({ onCall: (record) => records.push(record) });
    await registry.load('plinth-golden.c', opener('golden/c-protocol', bundle));
    expect(await registry.deliver('plinth-golden.c', 'on_event', FILE_SAVED)).toBe(true);
    expect(await registry.deliver('plinth-golden.c', 'on_event', new TextEncoder().encode(FILE_SAVED))).toBe(
      true,
    );
    expect(logged).toEqual(['event file_saved', 'event file_saved']);
    expect(records.map(({ kind, name, outcome }) => `${kind} ${name} ${outcome}`)).toEqual([
      'event on_event ok',
      'event on_event ok',
    ]);
    await registry.close();
  });

  it('resolves false without a call when the module lacks the export', async () => {
    const records: CallRecord[] = [];
    const registry = new PluginRegistry({ onCall: (record) => records.push(record) });
    await registry.load('plinth-golden.c', opener('golden/c-protocol'));
    expect(await registry.deliver('plinth-golden.c', 'handle_text_message', 'hello')).toBe(false);
    expect(records).toEqual([]);
    await registry.close();
  });

  it('resolves false for a handle that cannot call raw exports', async () => {
    const registry = new PluginRegistry();
    await registry.load('plinth-golden.c', async () => {
      const plugin = await opener('golden/c-protocol')();
      return {
        id: plugin.id,
        version: plugin.version,
        manifest: plugin.manifest,
        handles: (name) => plugin.handles(name),
        command: (name, params, options) => plugin.command(name, params, options),
        event: (event) => plugin.event(event),
        shutdown: () => plugin.shutdown(),
      };
    });
    expect(await registry.deliver('plinth-golden.c', 'on_event', FILE_SAVED)).toBe(false);
    await registry.close();
  });

  it('counts failures toward the failure policy and refuses a quarantined plugin', async () => {
    const records: CallRecord[] = [];
    const registry = new PluginRegistry({
      failurePolicy: { maxConsecutiveFailures: 2 },
      onCall: (record) => records.push(record),
    });
    await registry.load('hostile.trap-unreachable', opener('hostile/hostile-trap-unreachable'));
    const crash = '{"command":"crash","params":null}';
    for (let i = 0; i < 2; i++) {
      await expect(
        registry.deliver('hostile.trap-unreachable', 'handle_command', crash),
      ).rejects.toMatchObject({
        code: 'trap',
        context: expect.objectContaining({
          pluginId: 'hostile.trap-unreachable',
          exportName: 'handle_command',
        }),
      });
    }
    expect(records.map(({ kind, name, outcome, code }) => `${kind} ${name} ${outcome} ${code}`)).toEqual([
      'event handle_command error trap',
      'event handle_command error trap',
    ]);
    expect(registry.get('hostile.trap-unreachable')).toMatchObject({ state: 'quarantined' });
    // Quarantine wins over "no such export": the caller learns the plugin is out of service.
    await expect(registry.deliver('hostile.trap-unreachable', 'on_connected', '{}')).rejects.toMatchObject({
      code: 'quarantined',
      message:
        'plugin hostile.trap-unreachable is quarantined after 2 consecutive failures; reload it to serve again',
    });
    await registry.close();
  });

  it('throws not_handled for a plugin that is not loaded', async () => {
    const registry = new PluginRegistry();
    await expect(registry.deliver('acme.absent', 'on_connected', '{}')).rejects.toMatchObject({
      code: 'not_handled',
      message: 'no plugin acme.absent is loaded',
    });
  });

  it('reaches a pool of one instance, and not a pool of several (their states would split the stream)', async () => {
    const logged: string[] = [];
    const bundle: HostBundle = { host_log: (request) => (logged.push(request.message), '') };
    const registry = new PluginRegistry();
    await registry.load('plinth-golden.c', () =>
      openPooledPlugin({ open: opener('golden/c-protocol', bundle), min: 1, max: 1 }),
    );
    await registry.load('plinth-golden.rust', () =>
      openPooledPlugin({ open: opener('golden/rust-protocol', bundle), min: 1, max: 2 }),
    );
    expect(await registry.deliver('plinth-golden.c', 'on_event', FILE_SAVED)).toBe(true);
    expect(await registry.deliver('plinth-golden.c', 'on_connected', '{}')).toBe(false);
    expect(await registry.deliver('plinth-golden.rust', 'on_event', FILE_SAVED)).toBe(false);
    expect(logged).toEqual(['event file_saved']);
    await registry.close();
  });
});

describe('request files of a command', () => {
  it("hands the call its files, and a nested host_plugin_command call none of the caller's", async () => {
    const seen: unknown[] = [];
    const handle = (id: string): PluginHandle => ({
      id,
      version: '1.0.0',
      manifest: { id } as PluginHandle['manifest'],
      handles: () => true,
      command: (_name, _params, options) => {
        seen.push(options);
        return Promise.resolve({ success: true });
      },
      event: () => Promise.resolve(null),
      shutdown: () => Promise.resolve(),
    });
    const registry = new PluginRegistry({ permissions: createAllowAllChecker() });
    await registry.load('acme.convert', () => Promise.resolve(handle('acme.convert')));
    const requestFiles = new Map([['input', new Uint8Array([1])]]);
    await registry.command('acme.convert', 'run', null, { requestFiles });
    await registry.invokeFromPlugin(
      { plugin_id: 'acme.convert', command: 'run', params: null },
      { pluginId: 'acme.caller', exportName: 'handle_command', requestFiles },
    );
    expect(seen).toEqual([
      { callChain: ['acme.convert'], requestFiles },
      { callChain: ['acme.caller', 'acme.convert'] },
    ]);
    await registry.close();
  });
});

describe('cross-plugin commands (host_plugin_command)', () => {
  const context = (pluginId: string, callChain?: string[]) => ({
    pluginId,
    exportName: 'handle_command',
    callChain,
  });

  it('refuses self-calls, deep chains and unpermitted targets, and runs permitted ones', async () => {
    const denying = new PluginRegistry();
    await denying.load('plinth-golden.c', opener('golden/c-protocol'));
    const request = { plugin_id: 'plinth-golden.c', command: 'ping', params: null };
    expect(await denying.invokeFromPlugin(request, context('plinth-golden.c'))).toEqual({
      failure: 'plugin plinth-golden.c may not call its own commands (ping)',
    });
    expect(await denying.invokeFromPlugin(request, context('acme.caller'))).toEqual({
      failure: expect.stringContaining(
        "Permission denied for plugin 'acme.caller': execute_commands on 'plinth-golden.c:ping'",
      ),
    });
    await denying.close();

    const registry = new PluginRegistry({ permissions: createAllowAllChecker() });
    await registry.load('plinth-golden.c', opener('golden/c-protocol'));
    expect(await registry.invokeFromPlugin(request, context('acme.caller'))).toBe(
      '{"success":true,"data":"pong"}',
    );
    const chain = Array.from({ length: 9 }, (_, i) => `acme.p${i}`);
    expect(await registry.invokeFromPlugin(request, context('acme.p8', chain))).toEqual({
      failure: expect.stringMatching(
        /^cross-plugin call depth limit of 8 reached: acme\.p0 → .* → plinth-golden\.c$/,
      ),
    });
    const failing = { plugin_id: 'plinth-golden.c', command: 'greet', params: {} };
    expect(await registry.invokeFromPlugin(failing, context('acme.caller'))).toEqual({
      failure: 'greet: params.name is required',
    });
    const missing = { plugin_id: 'acme.absent', command: 'x', params: null };
    expect(await registry.invokeFromPlugin(missing, context('acme.caller'))).toEqual({
      failure: 'no plugin acme.absent is loaded',
    });
    await registry.close();
  });
});
