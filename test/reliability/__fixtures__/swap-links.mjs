// Another process racing the host: for `ms` milliseconds it renames symlinks over a workspace file and a
// workspace folder and back, as a sync client or an attacker's process could. Prints the swap count.
// Usage: node swap-links.mjs <workspace> <outside> <ms>
import { renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [workspace, outside, ms] = process.argv.slice(2);
const file = join(workspace, 'race', 'note.md');
const folder = join(workspace, 'race', 'folder');
const parked = join(workspace, 'race', '.parked');
/** A step that may lose a race with the host (which creates files and folders too): skipped, not fatal. */
const step = (run) => {
  try {
    run();
  } catch {
    // Lost a race with the host; the next round tries again.
  }
};
let swaps = 0;
const until = Date.now() + Number(ms);
while (Date.now() < until) {
  // The file: a symlink to the outside secret renamed over it, then a fresh regular file renamed back.
  const link = join(workspace, 'race', `.link-${swaps}`);
  step(() => symlinkSync(join(outside, 'secret.md'), link));
  step(() => renameSync(link, file));
  const plain = join(workspace, 'race', `.plain-${swaps}`);
  step(() => writeFileSync(plain, 'inside'));
  step(() => renameSync(plain, file));
  // The folder: parked aside and replaced by a symlink to the outside folder, then put back.
  step(() => renameSync(folder, parked));
  step(() => symlinkSync(outside, folder, 'dir'));
  step(() => unlinkSync(folder));
  step(() => renameSync(parked, folder));
  swaps += 1;
}
console.log(String(swaps));
