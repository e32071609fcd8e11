import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeHost, type NodeHost, type NodeHostOptions } from '@plinth/host-node';
import { guestBytes } from '@plinth/testkit';

/** Golden guests whose `echo` returns its params verbatim, and the id each declares. */
export const ECHO_GUESTS = [
  { guest: 'c-protocol', id: 'plinth-golden.c' },
  { guest: 'wat-protocol', id: 'plinth-golden.wat' },
  { guest: 'rust-protocol', id: 'plinth-golden.rust' },
] as const;

/**
 * The module with every occurrence of `from` replaced by `to`, which must have the same length: the text sits
 * in a data segment, so the result is a valid module with other bytes (another id or version in its manifest).
 */
export function patchGuest(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const source = Buffer.from(from);
  const target = Buffer.from(to);
  if (source.length !== target.length) throw new Error(`"${to}" must have as many bytes as "${from}"`);
  const out = Buffer.from(bytes);
  let found = 0;
  for (let at = out.indexOf(source); at !== -1; at = out.indexOf(source, at + target.length)) {
    target.copy(out, at);
    found += 1;
  }
  if (found === 0) throw new Error(`"${from}" not found in the module`);
  return new Uint8Array(out);
}

/**
 * `count` distinct echo plugins: the golden echo guests in turn, each copy's id renamed from
 * `plinth-golden.<x>` to `plinth-load<nn>.<x>` (same length, so the manifest stays valid).
 */
export function echoPlugins(count: number): { id: string; bytes: Uint8Array }[] {
  if (count > 100) throw new Error('at most 100 copies: the copy number has two digits');
  return Array.from({ length: count }, (_, index) => {
    const golden = ECHO_GUESTS[index % ECHO_GUESTS.length]!;
    const id = golden.id.replace('plinth-golden.', `plinth-load${String(index).padStart(2, '0')}.`);
    return { id, bytes: patchGuest(guestBytes(golden.guest), golden.id, id) };
  });
}

/** Writes each plugin as `<pluginsRoot>/<id>/plugin.wasm`, the layout a Node host loads. */
export function writePlugins(
  pluginsRoot: string,
  plugins: readonly { id: string; bytes: Uint8Array }[],
): void {
  for (const { id, bytes } of plugins) {
    mkdirSync(join(pluginsRoot, id), { recursive: true });
    writeFileSync(join(pluginsRoot, id, 'plugin.wasm'), bytes);
  }
}

/** A started Node host over `base` (workspace, plugins, policy file), not watching: the suites reload by hand. */
export async function startNodeHost(
  base: string,
  lane: 'isolated' | 'in-thread',
  plugins: readonly { id: string; bytes: Uint8Array }[],
  limits?: NodeHostOptions['limits'],
): Promise<NodeHost> {
  mkdirSync(join(base, 'workspace'), { recursive: true });
  writePlugins(join(base, 'plugins'), plugins);
  const host = await createNodeHost({
    workspaceRoot: join(base, 'workspace'),
    pluginsRoot: join(base, 'plugins'),
    policy: { file: join(base, 'policy.json') },
    hostAppVersion: '1.0.0',
    lane,
    watch: false,
    ...(limits ? { limits } : {}),
  });
  const { loaded, problems } = await host.start();
  if (problems.length > 0 || loaded.length !== plugins.length) {
    await host.close();
    throw new Error(`the host loaded ${loaded.length} of ${plugins.length}: ${JSON.stringify(problems)}`);
  }
  return host;
}
