// Plinth's generic layer against raw @extism/extism 2.0.0-rc13, side by side: the same module, input,
// config and host-function behaviour must give the same outputs. Where Plinth is deliberately stricter
// (typed errors instead of raw ones), the runtime README lists the difference.
import { readFileSync } from 'node:fs';
import createPlugin, { type CallContext } from '@extism/extism';
import { describe, expect, it } from 'vitest';
import { createIsolatedLane } from '../node/isolated-lane.js';
import { openPlugin } from '../open-plugin.js';
import { kvGuest, linkedGuests } from '../node/__fixtures__/generic-guests.js';

const plain = new Uint8Array(
  readFileSync(new URL('../../../guests/corpus/plain/wat-plain/plugin.wasm', import.meta.url)),
);
const decoder = new TextDecoder();

interface Case {
  name: string;
  export: string;
  input: string | Uint8Array;
}

/** Runs each case on raw rc13 (in-thread, its own API) and answers the outputs as text (null when none). */
async function rawOutputs(
  source: Parameters<typeof createPlugin>[0],
  cases: readonly Case[],
  options: Parameters<typeof createPlugin>[1] = {},
): Promise<(string | null)[]> {
  const plugin = await createPlugin(source, { useWasi: false, ...options });
  try {
    const outputs: (string | null)[] = [];
    for (const entry of cases) {
      const output = await plugin.call(entry.export, entry.input);
      outputs.push(output === null ? null : decoder.decode(output.bytes()));
    }
    return outputs;
  } finally {
    await plugin.close();
  }
}

const LANES = [
  { lane: 'in-thread', options: {} },
  { lane: 'isolated', options: { lane: createIsolatedLane } },
] as const;

describe.each(LANES)('the same answers as raw rc13 ($lane lane)', ({ options }) => {
  it('a plain guest: echo, reverse, byte_length over text and bytes', async () => {
    const cases: Case[] = [
      { name: 'echo text', export: 'echo', input: 'héllo 🌍' },
      { name: 'echo bytes', export: 'echo', input: new Uint8Array([0, 255, 1, 128]) },
      { name: 'echo empty', export: 'echo', input: '' },
      { name: 'reverse', export: 'reverse', input: 'abcdef' },
      { name: 'byte_length', export: 'byte_length', input: 'Zoë' },
    ];
    const expected = await rawOutputs({ wasm: [{ data: plain }] }, cases);
    const plugin = await openPlugin({ source: { bytes: plain }, ...options });
    try {
      for (const [index, entry] of cases.entries()) {
        expect(await plugin.callText(entry.export, entry.input), entry.name).toBe(expected[index]);
      }
    } finally {
      await plugin.close();
    }
  });

  it('user host functions and config: the kv guest', async () => {
    const cases: Case[] = [
      { name: 'read before write', export: 'read', input: 'k' },
      { name: 'write', export: 'write', input: 'k' },
      { name: 'read after write', export: 'read', input: 'k' },
      { name: 'config', export: 'config', input: '' },
    ];
    const rawStore = new Map<string, string>();
    const expected = await rawOutputs({ wasm: [{ data: await kvGuest() }] }, cases, {
      config: { greeting: 'hello' },
      functions: {
        'extism:host/user': {
          kv_read(context: CallContext, key: bigint) {
            const value = rawStore.get(context.read(key)?.text() ?? '');
            return value === undefined ? 0n : context.store(value);
          },
          kv_write(context: CallContext, key: bigint, value: bigint) {
            rawStore.set(context.read(key)?.text() ?? '', context.read(value)?.text() ?? '');
          },
        },
      },
    });
    const store = new Map<string, string>();
    const plugin = await openPlugin({
      source: { bytes: await kvGuest() },
      config: { greeting: 'hello' },
      functions: {
        'extism:host/user': {
          kv_read: (context, key) => {
            const value = store.get(context.readString(key));
            return value === undefined ? 0n : context.store(value);
          },
          kv_write: (context, key, value) =>
            void store.set(context.readString(key), context.readString(value)),
        },
      },
      ...options,
    });
    try {
      const outputs: (string | null)[] = [];
      for (const entry of cases) outputs.push(await plugin.callText(entry.export, entry.input));
      expect(outputs).toEqual(expected);
      expect(expected).toEqual([null, null, 'k', 'hello']);
    } finally {
      await plugin.close();
    }
  });

  it('linked modules', async () => {
    const { math, main } = await linkedGuests();
    const cases: Case[] = [{ name: 'twice_length', export: 'twice_length', input: 'abcd' }];
    const mathModule = await WebAssembly.compile(math);
    const mainModule = await WebAssembly.compile(main);
    const expected = await rawOutputs(
      {
        wasm: [
          { module: mathModule, name: 'math' },
          { module: mainModule, name: 'main' },
        ],
      },
      cases,
    );
    const plugin = await openPlugin({
      manifest: {
        wasm: [
          { data: math, name: 'math' },
          { data: main, name: 'main' },
        ],
      },
      ...options,
    });
    try {
      expect(await plugin.callText('twice_length', 'abcd')).toBe(expected[0]);
      expect(expected[0]).toBe('8');
    } finally {
      await plugin.close();
    }
  });

  it('where Plinth is stricter: a missing export is not_handled (raw rc13 rejects with a plain Error)', async () => {
    const raw = await createPlugin({ wasm: [{ data: plain }] }, { useWasi: false });
    await expect(raw.call('nope', '')).rejects.toThrow('does not exist');
    await raw.close();
    const plugin = await openPlugin({ source: { bytes: plain }, ...options });
    try {
      await expect(plugin.call('nope')).rejects.toMatchObject({ code: 'not_handled' });
    } finally {
      await plugin.close();
    }
  });
});
