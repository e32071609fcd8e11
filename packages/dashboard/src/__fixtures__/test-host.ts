import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeHost, type NodeHost } from '@plinth/host-node';

export const NOTES = 'plinth-golden.notes';
export const C = 'plinth-golden.c';

/** A corpus guest's module, read by path (the dashboard does not depend on @plinth/testkit). */
export const guestBytes = (guest: string): Uint8Array =>
  readFileSync(fileURLToPath(new URL(`../../../guests/corpus/${guest}/plugin.wasm`, import.meta.url)));

export interface TestHost {
  host: NodeHost;
  base: string;
  close(): Promise<void>;
}

/** A NodeHost over a temporary workspace with the notes and C golden plugins, not watching. */
export async function openTestHost(): Promise<TestHost> {
  const base = await mkdtemp(join(tmpdir(), 'plinth-dashboard-'));
  mkdirSync(join(base, 'workspace'), { recursive: true });
  writeFileSync(join(base, 'workspace', 'a.md'), 'one two three');
  for (const [id, guest] of [
    [NOTES, 'golden/as-notes'],
    [C, 'golden/c-protocol'],
  ] as const) {
    mkdirSync(join(base, 'plugins', id), { recursive: true });
    writeFileSync(join(base, 'plugins', id, 'plugin.wasm'), guestBytes(guest));
  }
  const host = await createNodeHost({
    workspaceRoot: join(base, 'workspace'),
    pluginsRoot: join(base, 'plugins'),
    policy: { file: join(base, 'policy.json') },
    hostAppVersion: '1.0.0',
    lane: 'in-thread',
    watch: false,
  });
  await host.start();
  return {
    host,
    base,
    close: async () => {
      await host.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}
