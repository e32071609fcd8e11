import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkspaceFiles } from '@plinth/host-kit';

const SECRET = 'TOP SECRET, outside the workspace';
const SECRET_SHA256 = createHash('sha256').update(SECRET).digest('hex');
const swapper = fileURLToPath(new URL('./swap-links.mjs', import.meta.url));

export interface RaceResult {
  /** Swaps the other process made while the host read and wrote. */
  swaps: number;
  operations: number;
  /** Operations that answered (the rest were refused or found nothing mid-swap). */
  answered: number;
  /** Reads that returned outside content, listings that showed outside names, writes that landed outside. */
  escapes: number;
}

/** Lays out `<workspace>/race` and an outside folder holding the secret the swaps point at. */
export function prepareRace(workspace: string, outside: string): void {
  mkdirSync(join(workspace, 'race', 'folder'), { recursive: true });
  writeFileSync(join(workspace, 'race', 'note.md'), 'inside');
  writeFileSync(join(workspace, 'race', 'folder', 'note.md'), 'inside');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret.md'), SECRET);
  writeFileSync(join(outside, 'note.md'), SECRET);
}

/**
 * Reads, hashes, stats, lists and writes through `files` while another process swaps symlinks over the
 * same names for `ms` milliseconds, and counts every answer that came from outside the workspace.
 */
export async function raceSwaps(
  files: WorkspaceFiles,
  workspace: string,
  outside: string,
  ms: number,
): Promise<RaceResult> {
  const child = spawn(process.execPath, [swapper, workspace, outside, String(ms)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  let operations = 0;
  let answered = 0;
  let escapes = 0;
  const attempt = (run: () => boolean): void => {
    operations += 1;
    try {
      if (run()) escapes += 1;
      answered += 1;
    } catch {
      // Refused or not found in the middle of a swap: what a plugin may see.
    }
  };
  const text = (data: Uint8Array) => Buffer.from(data).toString();
  const until = Date.now() + ms;
  let round = 0;
  while (Date.now() < until) {
    attempt(() => text(files.read('race/note.md')) === SECRET);
    attempt(() => text(files.read('race/folder/note.md')) === SECRET);
    attempt(() => files.hash('race/note.md') === SECRET_SHA256);
    attempt(() => files.stat('race/note.md')?.sizeBytes === SECRET.length);
    attempt(() => files.listDir('race/folder').includes('race/folder/secret.md'));
    attempt(() => files.list('race').includes('race/folder/secret.md'));
    // Writes are judged after the race: a planted file outside, or a changed secret, is an escape.
    attempt(() => {
      files.write(`race/folder/planted-${round++}.md`, new TextEncoder().encode('planted'));
      return false;
    });
    attempt(() => {
      files.write('race/note.md', new TextEncoder().encode('inside'));
      return false;
    });
    // Let the swapper's output and exit events through now and then.
    if (round % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const code = await exited;
  if (code !== 0) throw new Error(`the swapping process failed (exit ${code})`);
  for (let i = 0; i < round; i++) if (existsSync(join(outside, `planted-${i}.md`))) escapes += 1;
  for (const name of ['secret.md', 'note.md'])
    if (readFileSync(join(outside, name), 'utf8') !== SECRET) escapes += 1;
  rmSync(join(workspace, 'race'), { recursive: true, force: true });
  return { swaps: Number(output.trim()), operations, answered, escapes };
}
