import { writeFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  installPlugin,
  loadPluginDirectory,
  watchPluginsRoot,
  type PluginsRootWatcher,
  type WatchEvent,
} from '@plinth/host-node/directory';
import { PluginRegistry, type CallRecord } from '@plinth/runtime';
import { createIsolatedLane } from '@plinth/runtime/node';
import { guestBytes } from '@plinth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** The wat-protocol guest under another version: its manifest text sits in a data segment. */
function watWithVersion(version: string): Uint8Array {
  const bytes = Buffer.from(guestBytes('wat-protocol'));
  const at = bytes.indexOf('"version":"1.0.0"');
  Buffer.from(`"version":"${version}"`).copy(bytes, at);
  return bytes;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let root: string;
let registry: PluginRegistry;
let watcher: PluginsRootWatcher | undefined;
const records: CallRecord[] = [];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'plinth-e2e-directory-'));
  registry = new PluginRegistry({ onCall: (record) => records.push(record) });
  records.length = 0;
});
afterEach(async () => {
  await watcher?.close();
  await registry.close();
  await rm(root, { recursive: true, force: true });
});

describe('plugin directory end to end', { timeout: 60_000 }, () => {
  it('loads three golden plugins, reports the broken one, and hot-reloads a replaced module while calls continue', async () => {
    for (const [id, guest] of [
      ['plinth-golden.c', 'c-protocol'],
      ['plinth-golden.wat', 'wat-protocol'],
      ['plinth-golden.rust', 'rust-protocol'],
    ] as const) {
      await mkdir(join(root, id));
      await writeFile(join(root, id, 'plugin.wasm'), guestBytes(guest));
    }
    await mkdir(join(root, 'acme.broken'));
    await writeFile(join(root, 'acme.broken', 'plugin.wasm'), 'this is not WebAssembly');

    const options = {
      root,
      registry,
      hostAppVersion: '1.0.0',
      lane: createIsolatedLane,
      bundleFor: () => registry.bundle(),
    };
    const result = await loadPluginDirectory(options);
    expect(result.loaded.map((info) => `${info.id}@${info.version}`)).toEqual([
      'plinth-golden.c@1.0.0',
      'plinth-golden.rust@1.0.0',
      'plinth-golden.wat@1.0.0',
    ]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ name: 'acme.broken', code: 'invalid_module' });
    expect(result.problems[0]?.message).toMatch(
      /^Cannot load plugin acme\.broken from .*plugin\.wasm: not a valid WebAssembly module/,
    );

    const events: WatchEvent[] = [];
    watcher = await watchPluginsRoot({ ...options, debounceMs: 200, onEvent: (event) => events.push(event) });

    // Calls keep running across the swap; none may fail or be lost.
    let running = true;
    const answers: unknown[] = [];
    const load = (async () => {
      while (running)
        answers.push((await registry.command('plinth-golden.wat', 'echo', { n: answers.length })).data);
    })();
    await waitFor(() => answers.length >= 5, 'calls before the swap');

    const replaced = await installPlugin({
      root,
      hostAppVersion: '1.0.0',
      source: { bytes: watWithVersion('1.0.1') },
      replace: true,
    });
    expect(replaced).toMatchObject({ id: 'plinth-golden.wat', outcome: 'replaced' });
    await waitFor(() => registry.get('plinth-golden.wat')?.version === '1.0.1', 'the hot reload');
    // The new version serves as soon as it is swapped in; the watcher reports the reload once the old
    // instance is shut down, which on a busy machine can take a while longer.
    await waitFor(
      () => events.some((event) => event.type === 'reloaded' && event.pluginId === 'plinth-golden.wat'),
      'the watcher to report the reload',
    );
    const atSwap = answers.length;
    await waitFor(() => answers.length >= atSwap + 5, 'calls after the swap');
    running = false;
    await load;

    expect(answers).toEqual(answers.map((_answer, n) => ({ n })));
    const wat = records.filter((record) => record.pluginId === 'plinth-golden.wat');
    expect(wat.every((record) => record.outcome === 'ok')).toBe(true);
    expect(wat.some((record) => record.pluginVersion === '1.0.0')).toBe(true);
    expect(wat.some((record) => record.pluginVersion === '1.0.1')).toBe(true);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'reloaded', pluginId: 'plinth-golden.wat' }),
    );
    expect(events.filter((event) => event.type === 'failed')).toEqual([]);
    // The other plugins were untouched and still answer.
    expect(await registry.command('plinth-golden.c', 'ping')).toEqual({ success: true, data: 'pong' });
    expect(await registry.command('plinth-golden.rust', 'ping')).toEqual({ success: true, data: 'pong' });
    expect(
      registry
        .list()
        .map((info) => `${info.id}@${info.version}:${info.state}`)
        .sort(),
    ).toEqual([
      'plinth-golden.c@1.0.0:active',
      'plinth-golden.rust@1.0.0:active',
      'plinth-golden.wat@1.0.1:active',
    ]);
  });
});
