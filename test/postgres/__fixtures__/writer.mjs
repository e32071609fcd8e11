// A host process that writes to plugin storage on PostgreSQL until it is killed, for crash-postgres.test.ts.
// argv: <database url> <mode: sequence | contend> <writer id>
// sequence: writes k0, k1, … (each value ends with the sha256 of its body) and prints "ack <i>" once a
//           write resolved. contend: writes one key over and over with a value of its own id's byte.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { openPostgresStores } from '@plinth/host-postgres';
import process from 'node:process';
import pg from 'pg';

const [url, mode, writer] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 2 });
const stores = await openPostgresStores({ database: pool, secretKey: new Uint8Array(32) });
if (mode === 'sequence') {
  for (let i = 0; ; i++) {
    const body = Buffer.alloc(4096 + (i % 7) * 1000, i % 251);
    const value = Buffer.concat([body, createHash('sha256').update(body).digest()]);
    await stores.storage.set('acme.crash', `k${i}`, value);
    process.stdout.write(`ack ${i}\n`);
  }
} else {
  const value = Buffer.alloc(256 * 1024, Number(writer));
  for (;;) {
    await stores.storage.set('acme.contend', 'shared', value);
    process.stdout.write('wrote\n');
  }
}
