import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { wat } from '../__fixtures__/wat.js';
import type { CallReceipt } from '@plinth/host-kit';
import { createCompileCache } from '../loader/compile-cache.js';
import {
  openPlugin,
  openProtocolPluginFrom,
  type GenericPlugin,
  type OpenPluginOptions,
} from '../open-plugin.js';
import { PluginRegistry, type CallRecord } from '../registry/plugin-registry.js';
import { openGenericPluginHandle } from '../registry/generic-plugin-handle.js';
import { createIsolatedLane } from './isolated-lane.js';
import { kvGuest, linkedGuests } from './__fixtures__/generic-guests.js';
import type { UserFunctions } from '../generic/user-functions.js';

// The guest corpus lives in @plinth/testkit, which the runtime may not import: read it by path.
const corpus = new URL('../../../guests/corpus/', import.meta.url);
const guests = JSON.parse(readFileSync(new URL('guests.json', corpus), 'utf8')) as {
  name: string;
  path: string;
}[];
const guestBytes = (name: string) => {
  const guest = guests.find((g) => g.name === name);
  if (!guest) throw new Error(`no guest ${name} in the corpus`);
  return new Uint8Array(readFileSync(new URL(guest.path, corpus)));
};

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

function kvFunctions() {
  const store = new Map<string, string>();
  const functions: UserFunctions = {
    'extism:host/user': {
      kv_read(context, key) {
        const value = store.get(context.readString(key));
        return value === undefined ? 0n : context.store(value);
      },
      kv_write(context, key, value) {
        store.set(context.readString(key), context.readString(value));
      },
    },
  };
  return { store, functions };
}

async function fuelOf(plugin: GenericPlugin, exportName: string, input: string): Promise<number> {
  const receipt: CallReceipt = {};
  await plugin.call(exportName, input, { receipt });
  if (receipt.fuelUsed === undefined) throw new Error('the receipt has no fuel');
  return receipt.fuelUsed;
}

describe('fuel: a metered guest', () => {
  it.each(LANES)(
    'is stopped mid-loop with fuel_exhausted, and the next call runs on a fresh instance ($lane)',
    async ({ factory }) => {
      const kv = kvFunctions();
      const plugin = await open({
        source: { bytes: await kvGuest() },
        pluginId: 'acme.kv',
        pluginVersion: '1.2.3',
        functions: kv.functions,
        fuel: true,
        limits: { fuelPerCall: 2_000_000, timeoutMs: 30_000 },
        ...(factory ? { lane: factory } : {}),
      });
      const receipt: CallReceipt = {};
      const error = await plugin.call('spin', '', { receipt }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'fuel_exhausted',
        context: {
          pluginId: 'acme.kv',
          pluginVersion: '1.2.3',
          exportName: 'spin',
          limit: 'fuelPerCall',
          fuelBudget: 2_000_000,
        },
      });
      const { fuelUsed } = (error as { context: { fuelUsed: number } }).context;
      expect(fuelUsed).toBeGreaterThan(2_000_000);
      expect(receipt.fuelUsed).toBe(fuelUsed);
      expect((error as Error).message).toMatch(
        /^plugin acme\.kv@1\.2\.3 \(spin\) ran out of fuel: it used \d+ of its budget of 2000000 \(fuelPerCall\)/,
      );
      // The same plugin object serves again (a fresh instance), and its host-side state is the app's.
      expect(await plugin.call('write', 'key')).toBeNull();
      expect(await plugin.callText('read', 'key')).toBe('key');
      // And runs out again, the same way.
      await expect(plugin.call('spin')).rejects.toMatchObject({
        code: 'fuel_exhausted',
        context: { fuelUsed },
      });
    },
  );

  it('uses the same fuel for the same input on every run and in both lanes', async () => {
    const bytes = guestBytes('wat-plain');
    const inThread = await open({ source: { bytes }, fuel: true });
    const isolated = await open({ source: { bytes }, fuel: true, lane: createIsolatedLane });
    const inputs = ['', 'a', 'hello world', 'x'.repeat(5000)];
    const measured: number[][] = [];
    for (const plugin of [inThread, inThread, isolated, isolated]) {
      const row: number[] = [];
      for (const input of inputs) row.push(await fuelOf(plugin, 'reverse', input));
      measured.push(row);
    }
    for (const row of measured) expect(row).toEqual(measured[0]);
    // More input, more fuel: it counts work, not time.
    const first = measured[0]!;
    expect(first[3]!).toBeGreaterThan(first[2]!);
    expect(first[2]!).toBeGreaterThan(first[1]!);
  });

  it('gives the same answers metered and unmetered (the golden protocol guests)', async () => {
    for (const name of ['wat-protocol', 'c-protocol', 'rust-protocol', 'as-notes']) {
      const answers: string[] = [];
      for (const fuel of [false, true]) {
        const plugin = await openProtocolPluginFrom({
          source: { bytes: guestBytes(name) },
          hostAppVersion: '1.0.0',
          fuel,
        });
        const { output } = await plugin.callRaw('manifest', '');
        answers.push(new TextDecoder().decode(output ?? new Uint8Array()));
        await plugin.shutdown();
      }
      expect(answers[1], name).toBe(answers[0]);
    }
  });

  it.each(LANES)("fills the caller's receipt of a registry command and call ($lane)", async ({ factory }) => {
    // With no onCall and no telemetry the registry keeps no receipt of its own; the caller's still fills.
    const registry = new PluginRegistry();
    await registry.load('plinth-golden.c', () =>
      openProtocolPluginFrom({
        source: { bytes: guestBytes('c-protocol') },
        hostAppVersion: '1.0.0',
        fuel: true,
        ...(factory ? { lane: factory } : {}),
      }),
    );
    const commandReceipt: CallReceipt = {};
    expect(await registry.command('plinth-golden.c', 'ping', null, { receipt: commandReceipt })).toEqual({
      success: true,
      data: 'pong',
    });
    expect(commandReceipt.fuelUsed).toBeGreaterThan(0);
    expect(commandReceipt.lane).toBe(factory ? 'isolated' : 'in-thread');
    const callReceipt: CallReceipt = {};
    await registry.call('plinth-golden.c', 'manifest', '', { receipt: callReceipt });
    expect(callReceipt.fuelUsed).toBeGreaterThan(0);
    // With an onCall listener the registry has its own receipt; the caller's gets the same figures.
    const records: CallRecord[] = [];
    const heard = new PluginRegistry({ onCall: (record) => records.push(record) });
    await heard.load('plinth-golden.c', () =>
      openProtocolPluginFrom({
        source: { bytes: guestBytes('c-protocol') },
        hostAppVersion: '1.0.0',
        fuel: true,
      }),
    );
    const both: CallReceipt = {};
    await heard.command('plinth-golden.c', 'ping', null, { receipt: both });
    expect(both.fuelUsed).toBeGreaterThan(0);
    expect(records[0]?.fuelUsed).toBe(both.fuelUsed);
    await Promise.all([registry.close(), heard.close()]);
  });

  it.each(LANES)(
    'stops a guest that never finishes loading: manifest, init, start function ($lane)',
    async ({ factory }) => {
      const lane = factory ? { lane: factory } : {};
      const limits = { fuelPerLoad: 3_000_000, timeoutMs: 30_000 };
      for (const [name, id] of [
        ['hostile-loop-manifest', 'hostile.loop-manifest'],
        ['hostile-loop-init', 'hostile.loop-init'],
      ] as const) {
        await expect(
          openProtocolPluginFrom({
            source: { bytes: guestBytes(name) },
            hostAppVersion: '1.0.0',
            expectedId: id,
            fuel: true,
            limits,
            ...lane,
          }),
          name,
        ).rejects.toMatchObject({
          code: 'fuel_exhausted',
          context: { limit: 'fuelPerLoad', fuelBudget: 3_000_000 },
        });
      }
      const startLoop = await wat(
        `(module (memory (export "memory") 1 1) (func $forever (loop $l (br $l))) (start $forever))`,
      );
      await expect(open({ source: { bytes: startLoop }, fuel: true, limits, ...lane })).rejects.toMatchObject(
        {
          code: 'fuel_exhausted',
          context: { limit: 'fuelPerLoad' },
        },
      );
    },
  );

  it('stops unbounded recursion and memory growth in-thread with typed errors; the host goes on', async () => {
    const recursion = await openProtocolPluginFrom({
      source: { bytes: guestBytes('hostile-stack-overflow') },
      hostAppVersion: '1.0.0',
      fuel: true,
    });
    const overflow = await recursion.command('recurse').catch((e: unknown) => e);
    expect(['trap', 'fuel_exhausted']).toContain((overflow as { code: string }).code);
    await recursion.shutdown();

    const grow = await openProtocolPluginFrom({
      source: { bytes: guestBytes('hostile-memory-grow') },
      hostAppVersion: '1.0.0',
      fuel: true,
      limits: { memoryMaxPages: 16, fuelPerCall: 5_000_000 },
    });
    const grown = await grow.command('grow').catch((e: unknown) => e);
    expect(['fuel_exhausted', 'out_of_memory', 'trap']).toContain((grown as { code: string }).code);
    await grow.shutdown();

    // Another plugin on the same thread is unaffected.
    const plain = await open({ source: { bytes: guestBytes('wat-plain') }, fuel: true });
    expect(await plain.callText('reverse', 'abc')).toBe('cba');
  });

  it('puts fuel used in every call record of the registry', async () => {
    const records: CallRecord[] = [];
    const registry = new PluginRegistry({ onCall: (record) => records.push(record) });
    await registry.load(
      'acme.plain',
      openGenericPluginHandle({ id: 'acme.plain', source: { bytes: guestBytes('wat-plain') }, fuel: true }),
    );
    await registry.call('acme.plain', 'reverse', 'abcdef');
    await registry.call('acme.plain', 'reverse', 'abcdef');
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      pluginId: 'acme.plain',
      kind: 'call',
      name: 'reverse',
      outcome: 'ok',
    });
    expect(records[0]!.fuelUsed).toBeGreaterThan(0);
    expect(records[1]!.fuelUsed).toBe(records[0]!.fuelUsed);
    await registry.close();
  });

  it('caches the metered module: a warm load neither meters nor compiles again', async () => {
    const keys: string[] = [];
    let derived = 0;
    const inner = createCompileCache();
    const cache = {
      compile(key: string, bytes: Uint8Array | (() => Uint8Array)) {
        keys.push(key);
        return inner.compile(key, typeof bytes === 'function' ? () => ((derived += 1), bytes()) : bytes);
      },
      stats: () => inner.stats(),
      clear: () => inner.clear(),
    };
    const bytes = guestBytes('wat-plain');
    const a = await open({ source: { bytes }, fuel: true, cache });
    const b = await open({ source: { bytes }, fuel: true, cache });
    expect(a.loaded.metered && b.loaded.metered).toBe(true);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f]{64}\+fuel-v1$/);
    expect(keys[1]).toBe(keys[0]);
    expect(derived).toBe(1);
    expect(inner.stats()).toMatchObject({ hits: 1, misses: 1 });
    // A module metered by one load can be handed to another as a trusted compiled module.
    const again = await open({ source: { module: a.loaded.module }, trusted: true });
    expect(again.loaded.metered).toBe(true);
    const receipt: CallReceipt = {};
    expect(await again.callText('reverse', 'ab', { receipt })).toBe('ba');
    expect(receipt.fuelUsed).toBeGreaterThan(0);
    // Unmetered, the same bytes are another module.
    const c = await open({ source: { bytes }, cache });
    expect(c.loaded.metered).toBe(false);
    expect(inner.stats().misses).toBe(2);
  });

  it('refuses fuel for linked modules, and a module it cannot meter, with typed errors', async () => {
    const { math, main } = await linkedGuests();
    await expect(
      openPlugin({
        manifest: {
          wasm: [
            { data: math, name: 'math' },
            { data: main, name: 'main' },
          ],
        },
        fuel: true,
      }),
    ).rejects.toMatchObject({ code: 'invalid_options', message: expect.stringContaining('single-module') });
    await expect(
      openPlugin({
        source: { bytes: guestBytes('wat-plain') },
        functions: { 'plinth:fuel': { refill: () => 0n } },
      }),
    ).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining('reserved for Plinth'),
    });
    const gcTypes = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 0x5f, 0x01, 0x7f]);
    await expect(openPlugin({ source: { bytes: gcTypes }, fuel: true })).rejects.toMatchObject({
      code: 'invalid_module',
      problems: [{ reason: 'metering_unsupported' }],
    });
  });
});
