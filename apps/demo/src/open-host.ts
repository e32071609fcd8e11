import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openPostgresStores, shareHostChanges, sharePluginSet } from '@plinth/host-postgres';
import pg from 'pg';
import {
  createNodeHost,
  type NodeHost,
  type NodeHostOptions,
  type NodeHostProgress,
} from '@plinth/host-node';
import { DEMO_APP_VERSION } from './app-version.js';
import { LOOPBACK_HOSTS, type Workspace } from './workspace.js';

export interface OpenHostOptions {
  workspace: Workspace;
  /** Progress lines (stderr). */
  progress: (line: string) => void;
  lane?: NodeHostOptions['lane'];
  /** A PostgreSQL connection string: storage and the plugin set are shared through that database. */
  database?: string;
  /** Hot reload: watch the plugins root and the policy (long-running commands only). */
  watch?: boolean;
  onChange?: NodeHostOptions['onChange'];
}

function appendLine(file: string, record: unknown): void {
  try {
    appendFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), ...(record as object) })}\n`);
  } catch {
    // The log is a convenience for `logs`/`events`; losing a line must not fail the command.
  }
}

export function describeProgress(progress: NodeHostProgress): string {
  switch (progress.type) {
    case 'loading':
      return `loading ${progress.pluginId} (${progress.index + 1}/${progress.total})`;
    case 'loaded':
      return `loaded ${progress.pluginId}`;
    case 'skipped':
      return `skipped ${progress.pluginId}: ${progress.message}`;
    case 'installing':
      return `installing ${progress.source}: ${progress.step}`;
  }
}

/**
 * A NodeHost over the workspace: notes from `notes/`, plugins from `plinth/plugins`, policy from the notes'
 * README.md front matter; every log entry and plugin event is appended to `plinth/*.jsonl` for `logs`/`events`.
 */
export async function openHost(options: OpenHostOptions): Promise<NodeHost> {
  const { workspace } = options;
  const shared = options.database === undefined ? undefined : await openDatabase(options.database, workspace);
  let host: NodeHost;
  try {
    host = await createNodeHost({
      workspaceRoot: workspace.root,
      pluginsRoot: workspace.pluginsRoot,
      ...(shared ? { stores: shared.stores } : { storagePath: workspace.storagePath }),
      policy: { frontMatter: workspace.policyFile },
      hostAppVersion: DEMO_APP_VERSION,
      allowPrivateHosts: LOOPBACK_HOSTS,
      lane: options.lane ?? 'auto',
      watch: options.watch ?? false,
      onLog: (entry) => appendLine(workspace.logFile, entry),
      onEvent: (event) => appendLine(workspace.eventsFile, event),
      onProgress: (progress) => options.progress(describeProgress(progress)),
      ...(options.onChange ? { onChange: options.onChange } : {}),
    });
  } catch (error) {
    await shared?.close();
    throw error;
  }
  if (!shared) return host;
  const sharing = shareHostChanges(host, shared.plugins);
  return {
    ...sharing,
    close: async () => {
      await host.close();
      await shared.close();
    },
  };
}

/**
 * The workspace's PostgreSQL side: its stores, and its plugins root and the policy in its notes' front
 * matter mirrored from the shared plugin set (the rest of that README stays this workspace's own).
 */
async function openDatabase(connectionString: string, workspace: Workspace) {
  const pool = new pg.Pool({ connectionString, max: 4 });
  try {
    const stores = await openPostgresStores({ database: pool, secretKey: secretKeyFor(workspace) });
    const plugins = await sharePluginSet({
      database: pool,
      pluginsRoot: workspace.pluginsRoot,
      policyFile: workspace.policyFile,
    });
    return {
      stores,
      plugins,
      close: async () => {
        await plugins.close();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** $PLINTH_SECRET_KEY (base64 of 32 bytes), else the workspace's key file, made on first use. */
function secretKeyFor(workspace: Workspace): Uint8Array {
  const fromEnvironment = process.env['PLINTH_SECRET_KEY'];
  if (fromEnvironment !== undefined) return Buffer.from(fromEnvironment, 'base64');
  const file = join(dirname(workspace.storagePath), 'secret.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32), { mode: 0o600 });
  return readFileSync(file);
}
