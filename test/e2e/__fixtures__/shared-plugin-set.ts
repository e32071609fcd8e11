import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeHost, type NodeHost } from '@plinth/host-node';
import {
  shareHostChanges,
  sharePluginSet,
  type PoolLike,
  type Queryable,
  type SharedPluginSet,
} from '@plinth/host-postgres';

/** A watching host under `<base>/<name>` whose plugins root and policy file mirror the shared set. */
export async function openSharedHost(options: {
  base: string;
  name: string;
  database: Queryable | PoolLike;
  seed?: Readonly<Record<string, Uint8Array>>;
  /** The policy file's name and first text (default `policy.json`, no rules). */
  policy?: { file: string; text: string };
}): Promise<{ host: NodeHost; shared: SharedPluginSet; policyFile: string; close(): Promise<void> }> {
  const root = join(options.base, options.name);
  mkdirSync(join(root, 'workspace'), { recursive: true });
  mkdirSync(join(root, 'plugins'), { recursive: true });
  for (const [id, bytes] of Object.entries(options.seed ?? {})) {
    mkdirSync(join(root, 'plugins', id), { recursive: true });
    writeFileSync(join(root, 'plugins', id, 'plugin.wasm'), bytes);
  }
  const policy = options.policy ?? { file: 'policy.json', text: JSON.stringify({ plugins: {} }) };
  const policyFile = join(root, policy.file);
  writeFileSync(policyFile, policy.text);
  const node = await createNodeHost({
    workspaceRoot: join(root, 'workspace'),
    pluginsRoot: join(root, 'plugins'),
    policy: policyFile.endsWith('.md') ? { frontMatter: policyFile } : { file: policyFile },
    hostAppVersion: '1.0.0',
    watch: true,
  });
  await node.start();
  const shared = await sharePluginSet({
    database: options.database,
    pluginsRoot: join(root, 'plugins'),
    policyFile,
  });
  return {
    host: shareHostChanges(node, shared),
    shared,
    policyFile,
    close: async () => {
      await shared.close();
      await node.close();
    },
  };
}

/** Polls until `check` holds (the watchers debounce file changes by 250 ms); the time it took, in ms. */
export async function eventually(check: () => boolean, what: string): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > 10_000) throw new Error(`not within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - started;
}

/** What both shared-set tests check: a seeded plugin, an install, a grant and an uninstall reach B. */
export async function checkSharedPluginSet(
  open: (name: string, seed?: Record<string, Uint8Array>) => Promise<NodeHost>,
  guests: { notes: Uint8Array; c: Uint8Array },
): Promise<void> {
  const NOTES = 'plinth-golden.notes';
  const C = 'plinth-golden.c';
  const a = await open('a', { [NOTES]: guests.notes });
  const b = await open('b');
  // B joined after A seeded the set with its plugin: B mirrors it, and its watcher loads it.
  await eventually(() => b.plugin(NOTES)?.state === 'active', 'B loads the plugin A had');
  await a.install({ bytes: guests.c });
  await eventually(() => b.plugin(C)?.state === 'active', 'B loads the plugin installed on A');
  if ((await b.command(C, 'ping')).success !== true)
    throw new Error('B cannot run the plugin installed on A');
  await a.grant(NOTES, 'read_files', 'all');
  await eventually(
    () => b.policy().plugins[NOTES]?.permissions.read_files?.include.includes('all') === true,
    'B has the grant made on A',
  );
  await a.uninstall(C);
  await eventually(() => b.plugin(C) === undefined, 'B unloads the plugin uninstalled on A');
  if (a.plugin(C) !== undefined) throw new Error('A still runs the plugin it uninstalled');
}
