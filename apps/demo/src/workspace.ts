import { cpSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guestPath } from '@plinth/guests';

/** The committed sample, `notes/` only (read-only: the CLI works on a seeded copy). */
export const SAMPLE_WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'workspace');

/** Where the default workspace copy lives when neither `--workspace` nor PLINTH_DEMO_WORKSPACE is set. */
export const DEFAULT_WORKSPACE = join(tmpdir(), 'plinth-demo-workspace');

/**
 * The golden guests a seeded workspace starts with, by manifest id (a plugin folder must be named after
 * its id). The sample policy grants the HTTP one loopback hosts only (`LOOPBACK_HOSTS`).
 */
export const SEEDED_PLUGINS: Readonly<Record<string, string>> = {
  'plinth-golden.notes': 'as-notes',
  'plinth-golden.c': 'c-protocol',
  'plinth-golden.rust': 'rust-protocol',
  'plinth-golden.wat': 'wat-protocol',
  'plinth-golden.http': 'as-http',
};

/**
 * The hosts the demo's Node host lets plugins reach although they are not public (`allowPrivateHosts`):
 * the ones the sample policy grants the HTTP plugin, so it can fetch from a server on this machine.
 */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost'];

export interface Workspace {
  /** The demo home: `notes/` and `plinth/` side by side. */
  home: string;
  /** What plugins see (the fs bundle's root). */
  root: string;
  /** Plugin modules, storage and logs live beside the notes, never inside them, so no file permission reaches them. */
  stateDir: string;
  pluginsRoot: string;
  storagePath: string;
  /** The markdown file whose front matter is the policy. */
  policyFile: string;
  logFile: string;
  eventsFile: string;
  /** True when this call created it from the sample. */
  seeded: boolean;
}

export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
}

export function workspacePaths(home: string): Omit<Workspace, 'seeded'> {
  const root = join(home, 'notes');
  const stateDir = join(home, 'plinth');
  return {
    home,
    root,
    stateDir,
    pluginsRoot: join(stateDir, 'plugins'),
    storagePath: join(stateDir, 'plinth.db'),
    policyFile: join(root, 'README.md'),
    logFile: join(stateDir, 'host.log.jsonl'),
    eventsFile: join(stateDir, 'events.jsonl'),
  };
}

function sameDir(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

/**
 * Opens a demo home, seeding it first when it has no notes/README.md: the sample notes are copied and the
 * golden plugins installed from the committed corpus, so the copy is always in sync with @plinth/guests.
 */
export function openWorkspace(dir: string): Workspace {
  const home = resolve(dir);
  if (sameDir(home, SAMPLE_WORKSPACE)) {
    throw new WorkspaceError(
      `${home} is the committed sample workspace; pass another --workspace directory and it is seeded from the sample`,
    );
  }
  const paths = workspacePaths(home);
  const seeded = !existsSync(paths.policyFile);
  if (seeded) {
    if (existsSync(paths.root)) {
      throw new WorkspaceError(
        `${paths.root} exists but has no README.md with the plugin policy; refusing to seed over it`,
      );
    }
    cpSync(join(SAMPLE_WORKSPACE, 'notes'), paths.root, { recursive: true });
    for (const [id, guest] of Object.entries(SEEDED_PLUGINS)) {
      mkdirSync(join(paths.pluginsRoot, id), { recursive: true });
      cpSync(guestPath(guest), join(paths.pluginsRoot, id, 'plugin.wasm'));
    }
  }
  mkdirSync(paths.pluginsRoot, { recursive: true });
  return { ...paths, seeded };
}
