import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallRecord } from '@plinth/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guestBytes } from '../directory/__fixtures__/plugins-root.js';
import { createNodeHost } from './create-node-host.js';
import type { NodeHost, NodeHostChange, NodeHostLogEntry, NodeHostOptions } from './node-host-types.js';

// What an admin view needs of a running host: observers added later, quarantine by hand and release, and
// a look at a module before installing it.
const C = 'plinth-golden.c';
const NOTES = 'plinth-golden.notes';
const TRAP = 'hostile.trap-unreachable';

let base: string;
let host: NodeHost | undefined;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'plinth-node-host-admin-'));
  mkdirSync(join(base, 'workspace'), { recursive: true });
  for (const [id, guest] of [
    [C, 'golden/c-protocol'],
    [NOTES, 'golden/as-notes'],
    [TRAP, 'hostile/hostile-trap-unreachable'],
  ] as const) {
    mkdirSync(join(base, 'plugins', id), { recursive: true });
    writeFileSync(join(base, 'plugins', id, 'plugin.wasm'), guestBytes(guest));
  }
});
afterEach(async () => {
  await host?.close();
  host = undefined;
  await rm(base, { recursive: true, force: true });
});

async function open(extra: Partial<NodeHostOptions> = {}): Promise<NodeHost> {
  host = await createNodeHost({
    workspaceRoot: join(base, 'workspace'),
    pluginsRoot: join(base, 'plugins'),
    policy: { file: join(base, 'policy.json') },
    hostAppVersion: '1.0.0',
    watch: false,
    ...extra,
  });
  await host.start();
  return host;
}

describe('NodeHost.observe', () => {
  it('fans logs, events, call records and changes out to every observer beside the options', async () => {
    const fromOptions: string[] = [];
    const node = await open({ onChange: (change) => fromOptions.push(change.type) });
    const heard: string[] = [];
    const records: CallRecord[] = [];
    const stopThrowing = node.observe({
      onLog: () => {
        throw new Error('observer bug');
      },
      onCall: () => {
        throw new Error('observer bug');
      },
    });
    const stop = node.observe({
      onLog: (entry) => heard.push(`log ${entry.source} ${entry.pluginId ?? '-'}`),
      onEvent: (event) => heard.push(`event ${event.type} ${event.pluginId}`),
      onCall: (record) => records.push(record),
      onChange: (change) => heard.push(`change ${change.type} ${change.pluginId}`),
    });
    expect(await node.command(C, 'ping')).toMatchObject({ success: true });
    await node.command(NOTES, 'emit', { event_type: 'x.y', payload: {} });
    await node.command(NOTES, 'word_count', { path: 'a.md' }); // denied: no read_files
    await node.reload(C);
    // Call records are made although no onCall option asked for them, with the lane and fuel they used.
    expect(records.map((record) => `${record.pluginId} ${record.name} ${record.outcome}`)).toEqual([
      `${C} ping ok`,
      `${NOTES} emit ok`,
      `${NOTES} word_count ok`,
    ]);
    expect(records[0]).toMatchObject({ lane: 'in-thread', fuelUsed: expect.any(Number) as number });
    expect(heard).toEqual([
      `event plugin_event ${NOTES}`,
      `log permissions ${NOTES}`,
      `log host ${C}`, // the reload's "unsigned" warning
      `log registry ${C}`,
      `change reloaded ${C}`,
    ]);
    expect(fromOptions).toEqual(['loaded', 'loaded', 'loaded', 'reloaded']);

    stop();
    stopThrowing();
    await node.command(C, 'ping');
    await node.reload(C);
    expect(records).toHaveLength(3);
    expect(heard).toHaveLength(5);
    expect(fromOptions.slice(3)).toEqual(['reloaded', 'reloaded']);
  });

  it('counts the same observer added twice as two, each removed by its own function', async () => {
    const node = await open();
    const changes: NodeHostChange[] = [];
    const observer = { onChange: (change: NodeHostChange) => changes.push(change) };
    const first = node.observe(observer);
    node.observe(observer);
    first();
    await node.reload(C);
    expect(changes).toEqual([{ type: 'reloaded', pluginId: C }]);
  });

  it('refuses an observer that is not one, naming what is wrong', async () => {
    const node = await open();
    const untyped = node.observe as (observer: unknown) => () => void;
    expect(() => untyped({ onLog: 'loud' })).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message: expect.stringContaining('option `onLog` must be a function') as string,
      }),
    );
    expect(() => untyped({ onLgo: () => undefined })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('did you mean `onLog`?') as string }),
    );
  });
});

describe('NodeHost.quarantine and release', () => {
  it('refuses calls with the reason until released, and the change listeners hear both', async () => {
    const changes: string[] = [];
    const logs: NodeHostLogEntry[] = [];
    const node = await open({
      onChange: (change) => changes.push(`${change.type} ${change.pluginId}`),
      onLog: (entry) => logs.push(entry),
    });
    expect(await node.quarantine(C, 'investigating')).toMatchObject({ id: C, state: 'quarantined' });
    expect(node.plugin(C)).toMatchObject({
      state: 'quarantined',
      error: { code: 'quarantined', message: `plugin ${C} is quarantined by hand: investigating` },
    });
    await expect(node.command(C, 'ping')).rejects.toMatchObject({
      code: 'quarantined',
      message: `plugin ${C} is quarantined by hand: investigating; reload it to serve again`,
    });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', source: 'registry', pluginId: C }));
    expect(await node.release(C)).toMatchObject({ state: 'active', error: undefined });
    expect(await node.command(C, 'ping')).toMatchObject({ success: true });
    // A plugin in service is left alone.
    expect(await node.release(C)).toMatchObject({ state: 'active' });
    expect(changes.filter((change) => !change.startsWith('loaded'))).toEqual([
      `quarantined ${C}`,
      `reloaded ${C}`,
    ]);
  });

  it('releases a plugin the failure policy quarantined with a fresh instance', async () => {
    const node = await open({ lane: 'in-thread' });
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(node.command(TRAP, 'crash')).rejects.toMatchObject({ code: 'trap' });
    }
    await expect(node.command(TRAP, 'crash')).rejects.toMatchObject({
      code: 'quarantined',
      message: `plugin ${TRAP} is quarantined after 5 consecutive failures; reload it to serve again`,
    });
    expect(await node.release(TRAP)).toMatchObject({ state: 'active', consecutiveFailures: 0 });
    await expect(node.command(TRAP, 'crash')).rejects.toMatchObject({ code: 'trap' });
  });

  it('names a plugin that is not loaded and a reason that is not one', async () => {
    const node = await open();
    await expect(node.quarantine('acme.none')).rejects.toMatchObject({
      code: 'not_handled',
      message: 'no plugin acme.none is loaded',
    });
    await expect(node.release('acme.none')).rejects.toMatchObject({
      code: 'not_handled',
      message: 'no plugin acme.none is loaded',
    });
    await expect(node.quarantine(C, 'x'.repeat(501))).rejects.toMatchObject({
      code: 'invalid_options',
      message: `quarantine ${C}: the reason must be a string of at most 500 characters`,
    });
    expect(node.plugin(C)?.state).toBe('active');
  });
});

describe('NodeHost.inspect', () => {
  it('says what an install would do and what the plugin asks for, writing nothing', async () => {
    const node = await open();
    const bytes = guestBytes('golden/as-http');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const inspection = await node.inspect({ bytes }, { sha256 });
    expect(inspection).toMatchObject({
      id: 'plinth-golden.http',
      version: '1.0.0',
      outcome: 'installed',
      sha256,
      signature: { state: 'unsigned' },
      manifest: { id: 'plinth-golden.http' },
      notGranted: {
        pluginId: 'plinth-golden.http',
        asks: [
          expect.objectContaining({ permission: 'http_requests', reason: 'Fetch the URLs you ask for.' }),
        ],
      },
    });
    expect(existsSync(join(base, 'plugins', 'plinth-golden.http'))).toBe(false);
    expect(node.plugin('plinth-golden.http')).toBeUndefined();
    expect(await node.inspect({ bytes: guestBytes('golden/c-protocol') })).toMatchObject({
      outcome: 'unchanged',
    });
    const other = Buffer.from(guestBytes('golden/c-protocol'));
    other.write('"version":"1.0.1"', other.indexOf('"version":"1.0.0"'));
    expect(await node.inspect({ bytes: other })).toMatchObject({ outcome: 'replaced', version: '1.0.1' });
    expect(node.plugin(C)?.version).toBe('1.0.0');
  });

  it('refuses what install refuses: a sha256 pin that does not match, bytes that are no module', async () => {
    const node = await open();
    await expect(
      node.inspect({ bytes: guestBytes('golden/as-http') }, { sha256: '0'.repeat(64) }),
    ).rejects.toMatchObject({ reason: 'sha256_mismatch' });
    await expect(node.inspect({ bytes: new TextEncoder().encode('not wasm') })).rejects.toMatchObject({
      code: 'invalid_module',
    });
  });

  it('shows each running plugin with the sha256 of its module', async () => {
    const node = await open();
    const sha256 = createHash('sha256').update(guestBytes('golden/c-protocol')).digest('hex');
    expect(node.plugin(C)?.sha256).toBe(sha256);
  });
});
