// Child process of crash-run.ts: writes self-checking values in a loop against the built package and
// prints `ack <i>` after each write returns. The parent kills it with SIGKILL mid-loop.
//   node crash-writer.mjs <database path> <max writes> [first write number, default 0]
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { openSqliteStores } from '../../../dist/storage/index.js';

const [path, maxWrites, start = '0'] = process.argv.slice(2);
const stores = openSqliteStores({ path });
for (let i = Number(start); i < Number(start) + Number(maxWrites); i += 1) {
  // Varying sizes up to 192 KiB, so a kill is likely to land inside a write.
  const payload = createHash('sha512').update(`payload ${i}`).digest();
  const body = Buffer.alloc(((i * 7919) % 192) * 1024 + 64, payload);
  const digest = createHash('sha256').update(body).digest();
  stores.storage.set('crash.test', `k${i}`, Buffer.concat([body, digest]));
  stores.secrets.set('crash.test', `k${i}`, digest.toString('hex'));
  process.stdout.write(`ack ${i}\n`);
}
process.stdout.write('done\n');
