import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import createPlugin, { type CallContext } from '@extism/extism';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpTransport } from '@plinth/host-kit';
import { createIsolatedLane } from '../node/isolated-lane.js';
import { openPlugin, type GenericPlugin, type OpenPluginOptions } from '../open-plugin.js';
import type { ExtismLogLine } from './guest-functions.js';
import type { UserFunctions } from './user-functions.js';

/** The corpus's guest built with the upstream @extism/as-pdk (testkit `plain/as-pdk`). */
const AS_PDK = readFileSync(new URL('../../../guests/corpus/plain/as-pdk/plugin.wasm', import.meta.url));

const LANES = [
  { lane: 'in-thread', factory: undefined },
  { lane: 'isolated', factory: createIsolatedLane },
] as const;

let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((request, response) => response.end(`served ${request.url ?? ''}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** One hop over fetch (a test transport; Node hosts use host-node's guarded one). */
const fetchTransport: HttpTransport = {
  async send(request) {
    const response = await fetch(request.url, { method: request.method, redirect: 'manual' });
    return { status: response.status, headers: {}, body: new Uint8Array(await response.arrayBuffer()) };
  },
};

/** The classic plugin manager's kv functions over a Map. */
function kv(): UserFunctions {
  const store = new Map<string, string>();
  return {
    'extism:host/user': {
      kv_read: (ctx, key) => {
        const value = store.get(ctx.readString(key));
        return value === undefined ? 0n : ctx.store(value);
      },
      kv_write: (ctx, key, value) => void store.set(ctx.readString(key), ctx.readString(value)),
    },
  };
}

const opened: GenericPlugin[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((plugin) => plugin.close()));
});
async function open(options: Partial<OpenPluginOptions>): Promise<GenericPlugin> {
  const plugin = await openPlugin({
    manifest: { wasm: [{ data: AS_PDK }], config: { greeting: 'Hej' } },
    functions: kv(),
    pluginId: 'acme.as-pdk',
    ...options,
  });
  opened.push(plugin);
  return plugin;
}

describe.each(LANES)('a plugin built with the upstream AssemblyScript PDK ($lane lane)', ({ factory }) => {
  const lane = factory ? { lane: factory } : {};

  it('keeps a counter through the host kv functions, reads config and keeps a var', async () => {
    const plugin = await open(lane);
    expect(await plugin.callText('count', 'visits')).toBe('1');
    expect(await plugin.callText('count', 'visits')).toBe('2');
    expect(await plugin.callText('count', 'other')).toBe('1');
    expect(await plugin.callText('greet', 'Zoë 🌍')).toBe('Hej, Zoë 🌍!');
    expect(await plugin.callText('remember', 'first')).toBe('');
    expect(await plugin.callText('remember', 'second')).toBe('first');
  });

  it('is refused before it runs when the host does not give kv_read and kv_write', async () => {
    const refusal = await open({ ...lane, functions: {} }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'import_not_allowed' });
    expect((refusal as Error).message).toContain('kv_read');
    expect((refusal as Error).message).toContain('kv_write');
  });

  it('logs at every level to the guest log, filtered by logLevel', async () => {
    const lines: ExtismLogLine[] = [];
    const plugin = await open({ ...lane, guestLog: (line) => lines.push(line), logLevel: 'debug' });
    await plugin.call('log_all', 'x');
    for (let turn = 0; lines.length < 4 && turn < 50; turn += 1) await new Promise((r) => setTimeout(r, 10));
    expect(lines.map(({ level, message }) => `${level} ${message}`)).toEqual([
      'debug debug: x',
      'info info: x',
      'warn warn: x',
      'error error: x',
    ]);
  });

  it('runs out of host block memory as out_of_memory naming hostMemoryMaxPages', async () => {
    const plugin = await open({ ...lane, limits: { hostMemoryMaxPages: 64 } });
    await expect(plugin.call('hog')).rejects.toMatchObject({
      code: 'out_of_memory',
      context: { limit: 'hostMemoryMaxPages' },
    });
  });
});

describe('the upstream-PDK plugin where the lanes differ', () => {
  it('is stopped by fuel in-thread and by the timeout in the isolated lane', async () => {
    const metered = await open({ fuel: true, limits: { fuelPerCall: 1_000_000 } });
    await expect(metered.call('spin')).rejects.toMatchObject({ code: 'fuel_exhausted' });
    const isolated = await open({ lane: createIsolatedLane, limits: { timeoutMs: 300 } });
    await expect(isolated.call('spin')).rejects.toMatchObject({ code: 'timeout' });
    expect(await isolated.callText('greet', 'again')).toBe('Hej, again!');
  });

  it("reaches an allowed host through Extism's http_request and is refused any other", async () => {
    const allowed = await open({
      lane: createIsolatedLane,
      manifest: { wasm: [{ data: AS_PDK }], allowed_hosts: ['127.0.0.1'] },
      httpTransport: fetchTransport,
    });
    expect(await allowed.callText('fetch', `${origin}/notes`)).toBe('200 served /notes');
    const refused = await open({
      lane: createIsolatedLane,
      manifest: { wasm: [{ data: AS_PDK }], allowed_hosts: ['example.com'] },
      httpTransport: fetchTransport,
    });
    await expect(refused.call('fetch', `${origin}/notes`)).rejects.toMatchObject({
      code: 'host_function_failed',
      message: expect.stringContaining('allowed_hosts'),
    });
  });

  it('answers as raw @extism/extism 2.0.0-rc13 does for the same module and input', async () => {
    const store = new Map<string, string>();
    const raw = await createPlugin(
      { wasm: [{ data: AS_PDK }], config: { greeting: 'Hej' } },
      {
        useWasi: false,
        functions: {
          'extism:host/user': {
            kv_read: (ctx: CallContext, key: bigint) => {
              const value = store.get(ctx.read(key)?.text() ?? '');
              return value === undefined ? 0n : ctx.store(value);
            },
            kv_write: (ctx: CallContext, key: bigint, value: bigint) =>
              void store.set(ctx.read(key)?.text() ?? '', ctx.read(value)?.text() ?? ''),
          },
        },
      },
    );
    const ours = await open({});
    try {
      for (const [name, input] of [
        ['count', 'k'],
        ['count', 'k'],
        ['greet', 'Zoë'],
        ['remember', 'a'],
        ['remember', 'b'],
      ] as const) {
        expect(await ours.callText(name, input)).toBe((await raw.call(name, input))?.text() ?? null);
      }
    } finally {
      await raw.close();
    }
  });
});
