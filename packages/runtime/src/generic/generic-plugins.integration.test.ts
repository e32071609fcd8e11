import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIsolatedLane } from '../node/isolated-lane.js';
import { openPlugin, type GenericPlugin, type OpenPluginOptions } from '../open-plugin.js';
import { hogGuest, kvGuest, linkedGuests } from '../node/__fixtures__/generic-guests.js';
import type { ExtismLogLine } from './guest-functions.js';
import type { UserFunctions } from './user-functions.js';

const LANES = [
  { lane: 'in-thread', factory: undefined },
  { lane: 'isolated', factory: createIsolatedLane },
] as const;

const opened: GenericPlugin[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((plugin) => plugin.close()));
});

async function open(options: OpenPluginOptions): Promise<GenericPlugin> {
  const plugin = await openPlugin(options);
  opened.push(plugin);
  return plugin;
}

/** The classic plugin-manager host functions over a Map; records who called and with what host context. */
function kvStore() {
  const store = new Map<string, string>();
  const seen: { pluginId: string; exportName: string; hostContext: unknown }[] = [];
  const functions: UserFunctions = {
    'extism:host/user': {
      kv_read(context, key) {
        seen.push({
          pluginId: context.pluginId,
          exportName: context.exportName,
          hostContext: context.hostContext(),
        });
        const value = store.get(context.readString(key));
        return value === undefined ? 0n : context.store(value);
      },
      kv_write(context, key, value) {
        store.set(context.readString(key), `${context.readString(value)}!`);
      },
    },
  };
  return { store, seen, functions };
}

describe.each(LANES)('user host functions ($lane lane)', ({ factory }) => {
  const lane = factory === undefined ? {} : { lane: factory };

  it('serves kv_read and kv_write to a guest: blocks in, stored answers out, host context per call', async () => {
    const kv = kvStore();
    const plugin = await open({
      source: { bytes: await kvGuest() },
      pluginId: 'acme.kv',
      functions: kv.functions,
      ...lane,
    });
    expect(await plugin.call('write', 'Zoë 🌍')).toBeNull();
    expect(kv.store.get('Zoë 🌍')).toBe('Zoë 🌍!');
    expect(await plugin.callText('read', 'Zoë 🌍', { hostContext: { user: 'ada' } })).toBe('Zoë 🌍!');
    expect(await plugin.callText('read', 'missing')).toBeNull();
    expect(kv.seen).toEqual([
      { pluginId: 'acme.kv', exportName: 'read', hostContext: { user: 'ada' } },
      { pluginId: 'acme.kv', exportName: 'read', hostContext: undefined },
    ]);
  });

  it('serves functions in a namespace of the app', async () => {
    const kv = kvStore();
    const functions = { 'acme:kv': kv.functions['extism:host/user'] ?? {} };
    const plugin = await open({ source: { bytes: await kvGuest('acme:kv') }, functions, ...lane });
    await plugin.call('write', 'k');
    expect(await plugin.callText('read', 'k')).toBe('k!');
  });

  it('turns a bad offset into the call failing with host_function_failed; the plugin keeps working', async () => {
    const kv = kvStore();
    const errors: string[] = [];
    const plugin = await open({
      source: { bytes: await kvGuest() },
      pluginId: 'acme.kv',
      functions: kv.functions,
      onHandlerError: (error, name) => errors.push(`${name}: ${(error as Error).message}`),
      ...lane,
    });
    await expect(plugin.call('bad_offset')).rejects.toMatchObject({
      code: 'host_function_failed',
      message: 'host function kv_read: offset 2147418112 names no memory block',
      context: { pluginId: 'acme.kv', exportName: 'bad_offset' },
    });
    expect(errors).toEqual(['kv_read: host function kv_read: offset 2147418112 names no memory block']);
    await plugin.call('write', 'after');
    expect(await plugin.callText('read', 'after')).toBe('after!');
  });

  it('turns a handler that throws into host_function_failed naming the function', async () => {
    const plugin = await open({
      source: { bytes: await kvGuest() },
      functions: {
        'extism:host/user': {
          kv_read() {
            throw new Error('database is down');
          },
          kv_write() {},
        },
      },
      ...lane,
    });
    await expect(plugin.call('read', 'x')).rejects.toMatchObject({
      code: 'host_function_failed',
      message: 'host function "extism:host/user" "kv_read" failed: database is down',
    });
  });

  it('delivers guest log lines with their level to the sink, from the log level up, and prints nothing', async () => {
    const lines: { line: ExtismLogLine; pluginId: string }[] = [];
    const stderr = vi.spyOn(process.stderr, 'write');
    const stdout = vi.spyOn(process.stdout, 'write');
    try {
      const plugin = await open({
        source: { bytes: await kvGuest() },
        pluginId: 'acme.kv',
        functions: kvStore().functions,
        guestLog: (line, context) => lines.push({ line, pluginId: context.pluginId }),
        logLevel: 'info',
        ...lane,
      });
      await plugin.call('log', 'hello 🌍');
      expect(lines).toEqual([
        { line: { level: 'info', message: 'hello 🌍', source: 'guest' }, pluginId: 'acme.kv' },
        { line: { level: 'warn', message: 'hello 🌍', source: 'guest' }, pluginId: 'acme.kv' },
      ]);
      expect(stderr).not.toHaveBeenCalled();
      expect(stdout).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
  });

  it('answers not_handled for an export the module does not have, and keeps serving', async () => {
    const kv = kvStore();
    const plugin = await open({
      source: { bytes: await kvGuest() },
      pluginId: 'acme.kv',
      functions: kv.functions,
      ...lane,
    });
    await expect(plugin.call('nope')).rejects.toMatchObject({
      code: 'not_handled',
      message: 'plugin acme.kv (nope) cannot run: the module has no export "nope"',
    });
    await plugin.call('write', 'k');
    expect(await plugin.callText('read', 'k')).toBe('k!');
  });

  it('reports host block memory running out as out_of_memory naming the limit, not as the trap that follows', async () => {
    const plugin = await open({
      source: { bytes: await hogGuest() },
      pluginId: 'acme.hog',
      limits: { hostMemoryMaxPages: 16 },
      ...lane,
    });
    await expect(plugin.call('hog')).rejects.toMatchObject({
      code: 'out_of_memory',
      context: { pluginId: 'acme.hog', limit: 'hostMemoryMaxPages' },
      message: expect.stringContaining('ran out of host block memory'),
    });
  });

  it('refuses, before instantiating, a module importing a host function nobody gives it', async () => {
    await expect(
      open({ source: { bytes: await kvGuest() }, pluginId: 'acme.kv', ...lane }),
    ).rejects.toMatchObject({
      code: 'import_not_allowed',
      message: expect.stringContaining('"kv_read" from "extism:host/user"'),
    });
    await expect(
      open({ source: { bytes: await kvGuest('acme:kv') }, functions: kvStore().functions, ...lane }),
    ).rejects.toMatchObject({
      code: 'import_not_allowed',
      message: expect.stringContaining('no host provides the namespace "acme:kv"'),
    });
  });
});

describe('user host functions: what each lane can and cannot do', () => {
  it('awaits an asynchronous handler in the isolated lane', async () => {
    const plugin = await open({
      source: { bytes: await kvGuest() },
      lane: createIsolatedLane,
      functions: {
        'extism:host/user': {
          async kv_read(context, key) {
            await new Promise((resolve) => setTimeout(resolve, 5));
            return context.store(`async ${context.readString(key)}`);
          },
          kv_write() {},
        },
      },
    });
    expect(await plugin.callText('read', 'x')).toBe('async x');
  });

  it('refuses an asynchronous handler in the in-thread lane with a clear error', async () => {
    const plugin = await open({
      source: { bytes: await kvGuest() },
      functions: {
        'extism:host/user': { kv_read: async () => 0n, kv_write() {} },
      },
    });
    await expect(plugin.call('read', 'x')).rejects.toMatchObject({
      code: 'host_function_failed',
      message: expect.stringContaining('asynchronous host functions need the isolated lane'),
    });
  });

  it('refuses functions that would shadow the catalogue, the kernel or WASI', async () => {
    const bytes = await kvGuest();
    await expect(
      openPlugin({ source: { bytes }, functions: { 'extism:host/user': { host_read_file: () => 0n } } }),
    ).rejects.toMatchObject({ code: 'invalid_options', message: expect.stringContaining('host_read_file') });
    await expect(
      openPlugin({ source: { bytes }, functions: { 'extism:host/env': { alloc: () => 0n } } }),
    ).rejects.toMatchObject({ code: 'invalid_options', message: expect.stringContaining('Extism kernel') });
  });
});

describe.each(LANES)('Extism manifests ($lane lane)', ({ factory }) => {
  const lane = factory === undefined ? {} : { lane: factory };

  it('loads base64 data with a checked hash, applies its config, and links modules by name', async () => {
    const guest = await kvGuest();
    const hash = createHash('sha256').update(guest).digest('hex');
    const plugin = await open({
      manifest: {
        wasm: [{ data: Buffer.from(guest).toString('base64'), hash }],
        config: { greeting: 'hi there' },
      },
      functions: kvStore().functions,
      ...lane,
    });
    expect(await plugin.callText('config')).toBe('hi there');
    const { math, main } = await linkedGuests();
    const linked = await open({
      manifest: {
        wasm: [
          { data: math, name: 'math' },
          { data: main, name: 'main' },
        ],
      },
      ...lane,
    });
    expect(await linked.callText('twice_length', 'abc')).toBe('6');
  });

  it('refuses a wrong hash, a bad field, and a link to a module that lacks the export', async () => {
    const guest = await kvGuest();
    await expect(
      open({
        manifest: { wasm: [{ data: guest, hash: '0'.repeat(64) }] },
        functions: kvStore().functions,
        ...lane,
      }),
    ).rejects.toMatchObject({ code: 'load_failed', message: expect.stringContaining('sha256 mismatch') });
    await expect(
      open({ manifest: { wasm: [{ data: guest }], memory: { max_pages: 0 } }, ...lane }),
    ).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining('`manifest.memory.max_pages`'),
    });
    await expect(
      open({ manifest: { wasm: [{ data: guest }], timeoutMS: 5 }, ...lane }),
    ).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining('timeoutMS'),
    });
    const { main } = await linkedGuests();
    const other = await kvGuest();
    await expect(
      open({
        manifest: { wasm: [{ data: other, name: 'math' }, { data: main }] },
        functions: kvStore().functions,
        ...lane,
      }),
    ).rejects.toMatchObject({
      code: 'import_not_allowed',
      message: expect.stringContaining('the linked module "math" exports no function "double"'),
    });
  });
});

describe('Extism manifest limits', () => {
  it('stops a guest at the manifest timeout_ms in the isolated lane', async () => {
    const plugin = await open({
      manifest: { wasm: [{ data: await kvGuest() }], timeout_ms: 300 },
      functions: kvStore().functions,
      lane: createIsolatedLane,
    });
    await expect(plugin.call('spin')).rejects.toMatchObject({
      code: 'timeout',
      context: { limit: 'timeoutMs' },
    });
  });

  it('reads camelCase keys as the JavaScript SDK writes them, and refuses what this host cannot serve', async () => {
    const plugin = await open({
      manifest: { wasm: [{ data: await kvGuest() }], memory: { maxVarBytes: 1024 } },
      functions: kvStore().functions,
    });
    expect(await plugin.callText('read', 'x')).toBeNull();
    await expect(
      openPlugin({ manifest: { wasm: [{ data: await kvGuest() }], allowedPaths: { '/tmp': '/data' } } }),
    ).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining('manifest.allowed_paths needs the wasi option'),
    });
    await expect(
      openPlugin({ source: { bytes: await kvGuest() }, manifest: { wasm: [] } }),
    ).rejects.toMatchObject({
      code: 'invalid_options',
    });
  });
});
