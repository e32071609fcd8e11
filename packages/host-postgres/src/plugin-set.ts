import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parsePolicyText, savePolicyFile } from '@plinth/host-node/policy';
import {
  checkOptions,
  defineOptions,
  functionOption,
  isCanonicalPluginId,
  objectOption,
  PlinthError,
  wholeNumberOption,
} from '@plinth/protocol';
import { z } from 'zod';
import {
  bytesOf,
  DatabaseError,
  run,
  type DatabaseOptions,
  type PoolLike,
  type Queryable,
} from './database.js';
import { migrate } from './migrations.js';

/**
 * The plugin set and the policy, shared through the database. The database holds the truth; each host's
 * plugins directory and policy file are its mirror of it, so the host's own watchers do the hot reload:
 * a change pushed by one host is announced with NOTIFY, every other host writes it to its mirror, and its
 * directory watcher reloads the plugin (or its policy watcher the policy) — install, uninstall, grant and
 * revoke reach every host well within a second.
 */

export const CHANGES_CHANNEL = 'plinth_changes';

const MODULE = 'plugin.wasm';
const CONFIG = 'config.json';
const SIGNATURE = 'plugin.wasm.sig';

/** Subscribes to a NOTIFY channel; resolves to the unsubscribe function. */
export type Listen = (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>;

/**
 * What `sharePluginSet` needs: the database, and this host's plugins root and policy file to mirror it to.
 */
export interface SharePluginSetOptions {
  /** The database: a `pg` Pool, or PGlite (which can LISTEN in-process). */
  database: Queryable | PoolLike;
  /** This host's plugins root (`<root>/<id>/plugin.wasm`), kept as a mirror of the database. */
  pluginsRoot: string;
  /**
   * This host's policy file, kept as a mirror too; omit to leave policies local. A JSON or YAML policy, or a
   * markdown file whose front matter holds it (`.md`, `.markdown`): what is shared is the policy (`plugins`
   * and `trust`), not the file, so each host keeps its own comments, other front-matter keys and body, and
   * hosts with files of different kinds share one policy.
   */
  policyFile?: string;
  /** How to LISTEN; found for a `pg` Pool and for PGlite when absent. */
  listen?: Listen;
  /** A mirror write, a pull or a lost subscription that failed (the next change or pull retries). */
  onError?: (error: unknown) => void;
  /** Each change this host applied to its mirror, for logs. */
  onSync?: (event: PluginSetEvent) => void;
  queryTimeoutMs?: number;
}

/**
 * A change this host applied to its mirror: a plugin folder written or removed, or the policy file written.
 */
export type PluginSetEvent =
  | { type: 'plugin_written'; pluginId: string; sha256: string }
  | { type: 'plugin_removed'; pluginId: string }
  | { type: 'policy_written' };

/** A host's handle on the shared plugin set: push its own changes, pull everyone else's, stop. */
export interface SharedPluginSet {
  /** Writes the plugin's folder (module, config sidecar, signature) to the database and tells every host. */
  pushPlugin(pluginId: string): Promise<void>;
  /** Removes the plugin from the set (every host unloads and removes its folder). */
  removePlugin(pluginId: string): Promise<void>;
  /** Writes the policy in the policy file to the database and tells every host (nothing when not shared). */
  pushPolicy(): Promise<void>;
  /** Brings this host's mirror up to the database (what a host does on start and after a lost connection). */
  pull(): Promise<void>;
  /** Stops listening for other hosts' changes and waits for the one being applied. The mirror stays. */
  close(): Promise<void>;
}

interface PluginRow {
  id: string;
  sha256: string;
  module: unknown;
  config: string | null;
  signature: unknown;
}

interface Change {
  kind: 'plugin' | 'policy';
  id?: string;
  origin: string;
}

const sharePluginSetOptionsSchema = defineOptions<SharePluginSetOptions>()(
  z.strictObject({
    database: objectOption<Queryable>('a database with query(text, params)', ['query']),
    pluginsRoot: z.string().min(1),
    policyFile: z.string().min(1).optional(),
    listen: functionOption<Listen>('a function (channel, onPayload) => unsubscribe').optional(),
    onError: functionOption().optional(),
    onSync: functionOption().optional(),
    queryTimeoutMs: wholeNumberOption(1, 600_000).optional(),
  }),
);

/** A plugin id a caller names, refused unless canonical (it becomes a folder name under the root). */
function checkPluginId(operation: string, pluginId: string): void {
  if (!isCanonicalPluginId(pluginId)) {
    throw new PlinthError('invalid_params', `${operation}: ${JSON.stringify(pluginId)} is not a plugin id`);
  }
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Replaces a file by renaming a complete temporary one over it, so a watcher never sees half a file. */
async function writeAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}

const isMarkdown = (path: string) => ['.md', '.markdown'].includes(extname(path).toLowerCase());

/** The policy a host's policy file holds (undefined when there is no file); a broken one throws its error. */
async function localPolicy(file: string): Promise<unknown> {
  const text = (await readOptional(file))?.toString('utf8');
  if (text === undefined) return undefined;
  return parsePolicyText(text, isMarkdown(file) ? 'front-matter' : 'document', file).policy;
}

/**
 * Starts sharing: migrates the schema, seeds the database with this host's plugins and policy where the
 * database has none yet, mirrors the database to disk, and listens for other hosts' changes.
 */
export async function sharePluginSet(options: SharePluginSetOptions): Promise<SharedPluginSet> {
  checkOptions('sharePluginSet', sharePluginSetOptionsSchema, options);
  const { database } = options;
  const pglite = database as { listen?: unknown };
  if (options.listen === undefined && typeof pglite.listen !== 'function' && !('connect' in database)) {
    throw new PlinthError(
      'invalid_options',
      'sharePluginSet: option `database` cannot LISTEN: give a pg Pool or PGlite, or a `listen` function',
    );
  }
  const settings: DatabaseOptions = { queryTimeoutMs: options.queryTimeoutMs ?? 10_000, retries: 1 };
  const root = resolve(options.pluginsRoot);
  const origin = randomUUID();
  const report = (error: unknown) => options.onError?.(error);
  await migrate(database);

  const notify = (change: Omit<Change, 'origin'>) =>
    run(database, settings, 'notify', 'SELECT pg_notify($1, $2)', [
      CHANGES_CHANNEL,
      JSON.stringify({ ...change, origin }),
    ]);

  const localPlugin = async (pluginId: string) => {
    const dir = join(root, pluginId);
    const module = await readOptional(join(dir, MODULE));
    if (module === undefined) return undefined;
    return {
      module,
      sha256: sha256Hex(module),
      config: (await readOptional(join(dir, CONFIG)))?.toString('utf8') ?? null,
      signature: (await readOptional(join(dir, SIGNATURE))) ?? null,
    };
  };

  const writePlugin = async (row: PluginRow): Promise<void> => {
    if (!isCanonicalPluginId(row.id)) {
      throw new DatabaseError(
        'plugin read',
        `the shared plugin set holds an invalid id ${JSON.stringify(row.id)}`,
      );
    }
    const local = await localPlugin(row.id);
    const signature = row.signature === null ? null : bytesOf(row.signature);
    const same =
      local !== undefined &&
      local.sha256 === row.sha256 &&
      local.config === row.config &&
      (local.signature === null
        ? signature === null
        : signature !== null && local.signature.equals(signature));
    if (same) return;
    const dir = join(root, row.id);
    const module = bytesOf(row.module);
    if (local === undefined) {
      // A new folder appears whole: built beside the root's plugins, then renamed into place.
      const incoming = join(root, `.incoming-${row.id}-${randomBytes(6).toString('hex')}`);
      await mkdir(incoming, { recursive: true });
      await writeFile(join(incoming, MODULE), module);
      if (row.config !== null) await writeFile(join(incoming, CONFIG), row.config);
      if (signature !== null) await writeFile(join(incoming, SIGNATURE), signature);
      await rm(dir, { recursive: true, force: true });
      await rename(incoming, dir);
    } else {
      // The signature first: the module's change triggers the reload that checks both.
      if (signature === null) await rm(join(dir, SIGNATURE), { force: true });
      else await writeAtomic(join(dir, SIGNATURE), signature);
      if (row.config === null) await rm(join(dir, CONFIG), { force: true });
      else if (row.config !== local.config) await writeAtomic(join(dir, CONFIG), row.config);
      if (local.sha256 !== row.sha256) await writeAtomic(join(dir, MODULE), module);
    }
    options.onSync?.({ type: 'plugin_written', pluginId: row.id, sha256: row.sha256 });
  };

  const removeLocal = async (pluginId: string): Promise<void> => {
    if (!isCanonicalPluginId(pluginId)) return;
    const dir = join(root, pluginId);
    if ((await localPlugin(pluginId)) === undefined) return;
    const doomed = join(root, `.uninstall-${pluginId}-${randomBytes(6).toString('hex')}`);
    await rename(dir, doomed);
    await rm(doomed, { recursive: true, force: true });
    options.onSync?.({ type: 'plugin_removed', pluginId });
  };

  const pullPlugin = async (pluginId: string): Promise<void> => {
    const rows = await run<PluginRow>(
      database,
      settings,
      'plugin read',
      'SELECT * FROM plinth_plugins WHERE id = $1',
      [pluginId],
    );
    if (rows[0] === undefined) await removeLocal(pluginId);
    else await writePlugin(rows[0]);
  };

  const pullPolicy = async (): Promise<void> => {
    const file = options.policyFile;
    if (file === undefined) return;
    const rows = await run<{ document: string }>(
      database,
      settings,
      'policy read',
      'SELECT document FROM plinth_policy WHERE id = 1',
    );
    const document = rows[0]?.document;
    if (document === undefined) return;
    const shared = parsePolicyText(document, 'document', 'the shared policy (plinth_policy)').policy;
    if (isDeepStrictEqual(await localPolicy(file), shared)) return;
    // Only the policy's sections are rewritten: the file's comments, other keys and markdown body stay.
    await savePolicyFile(file, shared);
    options.onSync?.({ type: 'policy_written' });
  };

  const pushPlugin = async (pluginId: string): Promise<void> => {
    checkPluginId('pushPlugin', pluginId);
    const local = await localPlugin(pluginId);
    if (local === undefined) {
      throw new PlinthError('invalid_params', `pushPlugin: plugin ${pluginId} has no ${MODULE} in ${root}`, {
        pluginId,
      });
    }
    await run(
      database,
      settings,
      'plugin write',
      `INSERT INTO plinth_plugins (id, sha256, module, config, signature) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET sha256 = EXCLUDED.sha256, module = EXCLUDED.module,
         config = EXCLUDED.config, signature = EXCLUDED.signature, updated_at = now()`,
      [pluginId, local.sha256, local.module, local.config, local.signature],
    );
    await notify({ kind: 'plugin', id: pluginId });
  };

  const pushPolicy = async (): Promise<void> => {
    const file = options.policyFile;
    if (file === undefined) return;
    const policy = await localPolicy(file);
    if (policy === undefined) {
      throw new PlinthError('invalid_params', `pushPolicy: there is no policy file at ${file}`);
    }
    const document = JSON.stringify(policy);
    await run(
      database,
      settings,
      'policy write',
      `INSERT INTO plinth_policy (id, document) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document, updated_at = now()`,
      [document],
    );
    await notify({ kind: 'policy' });
  };

  const pull = async (): Promise<void> => {
    const rows = await run<PluginRow>(database, settings, 'plugin list', 'SELECT * FROM plinth_plugins');
    for (const row of rows) await writePlugin(row);
    await pullPolicy();
  };

  // Seed: what this host has and the database lacks goes up; then the database comes down.
  await mkdir(root, { recursive: true });
  const known = new Set(
    (await run<{ id: string }>(database, settings, 'plugin list', 'SELECT id FROM plinth_plugins')).map(
      (row) => row.id,
    ),
  );
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.isDirectory() && isCanonicalPluginId(entry.name) && !known.has(entry.name)) {
      if ((await localPlugin(entry.name)) !== undefined) await pushPlugin(entry.name);
    }
  }
  if (options.policyFile !== undefined) {
    const policy = await run(database, settings, 'policy read', 'SELECT 1 FROM plinth_policy WHERE id = 1');
    if (policy.length === 0 && (await readOptional(options.policyFile)) !== undefined) await pushPolicy();
  }
  await pull();

  // One change at a time, in the order announced, so two quick changes to one plugin land in order.
  let applying: Promise<void> = Promise.resolve();
  const onPayload = (payload: string) => {
    let change: Change;
    try {
      change = JSON.parse(payload) as Change;
    } catch (error) {
      report(error);
      return;
    }
    if (change.origin === origin) return;
    applying = applying
      .then(() =>
        change.kind === 'policy' ? pullPolicy() : change.id === undefined ? pull() : pullPlugin(change.id),
      )
      .catch(report);
  };
  const listen = options.listen ?? defaultListen(database, () => void pull().catch(report), report);
  const unlisten = await listen(CHANGES_CHANNEL, onPayload);

  return {
    pushPlugin,
    async removePlugin(pluginId) {
      checkPluginId('removePlugin', pluginId);
      await run(database, settings, 'plugin remove', 'DELETE FROM plinth_plugins WHERE id = $1', [pluginId]);
      await notify({ kind: 'plugin', id: pluginId });
    },
    pushPolicy,
    pull,
    async close() {
      await unlisten();
      await applying;
    },
  };
}

/**
 * LISTEN for PGlite (in-process) or a `pg` Pool (a dedicated connection, re-established after a loss,
 * then a full pull to catch up on what was missed meanwhile).
 */
function defaultListen(
  database: Queryable | PoolLike,
  caughtUp: () => void,
  report: (error: unknown) => void,
): Listen {
  const pglite = database as {
    listen?: (channel: string, callback: (payload: string) => void) => Promise<() => Promise<void>>;
  };
  if (typeof pglite.listen === 'function') return (channel, onPayload) => pglite.listen!(channel, onPayload);
  // sharePluginSet checked that a database without its own listen is a pool.
  const pool = database as PoolLike;
  return async (channel, onPayload) => {
    let closed = false;
    let client: Awaited<ReturnType<PoolLike['connect']>> | undefined;
    const subscribe = async (): Promise<void> => {
      const next = await pool.connect();
      const events = next as unknown as {
        on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): void;
        on(event: 'error', listener: (error: Error) => void): void;
      };
      events.on('notification', (message) => {
        if (message.channel === channel && message.payload !== undefined) onPayload(message.payload);
      });
      events.on('error', (error) => {
        report(error);
        next.release(error);
        if (client === next) client = undefined;
        if (!closed) setTimeout(() => void resubscribe(), 1_000);
      });
      await next.query(`LISTEN ${channel}`);
      client = next;
    };
    const resubscribe = async (): Promise<void> => {
      try {
        await subscribe();
        caughtUp();
      } catch (error) {
        report(error);
        if (!closed) setTimeout(() => void resubscribe(), 1_000);
      }
    };
    await subscribe();
    return async () => {
      closed = true;
      const current = client;
      client = undefined;
      if (current === undefined) return;
      await current.query(`UNLISTEN ${channel}`).catch(() => undefined);
      current.release();
    };
  };
}

/** The host methods whose changes are shared (NodeHost has them all). */
export interface ShareableHost {
  /** Installs a plugin; answers at least its id. */
  install(...args: never[]): Promise<{ id: string }>;
  /** Removes a plugin. */
  uninstall(pluginId: string): Promise<void>;
  /** Widens a plugin's permissions in the policy. */
  grant(pluginId: string, ...rest: never[]): Promise<void>;
  /** Narrows or removes a plugin's permissions in the policy. */
  revoke(pluginId: string, ...rest: never[]): Promise<void>;
}

/**
 * The host with install, uninstall, grant and revoke also pushed to the shared set, so a change made through
 * any host reaches every host. Other methods are the host's own.
 */
export function shareHostChanges<H extends ShareableHost>(host: H, shared: SharedPluginSet): H {
  return {
    ...host,
    install: async (...args: Parameters<H['install']>) => {
      const result = await (host.install as (...a: unknown[]) => Promise<{ id: string }>)(...args);
      await shared.pushPlugin(result.id);
      // An install with consent may have granted what the plugin asks for.
      await shared.pushPolicy();
      return result;
    },
    uninstall: async (pluginId: string) => {
      await host.uninstall(pluginId);
      await shared.removePlugin(pluginId);
    },
    grant: async (...args: Parameters<H['grant']>) => {
      await (host.grant as (...a: unknown[]) => Promise<void>)(...args);
      await shared.pushPolicy();
    },
    revoke: async (...args: Parameters<H['revoke']>) => {
      await (host.revoke as (...a: unknown[]) => Promise<void>)(...args);
      await shared.pushPolicy();
    },
  };
}
