// Rebuilds the committed .wasm files from the .wat sources next to them:
//   node packages/host-node/src/wasi/__fixtures__/build-fixtures.mjs
// wabt is a devDependency of @plinth/testkit, not of this package, so it is resolved from there.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../../../testkit/package.json'));
const wabt = await require('wabt')();
for (const file of readdirSync(here).filter((name) => name.endsWith('.wat'))) {
  const parsed = wabt.parseWat(file, readFileSync(join(here, file), 'utf8'));
  const { buffer } = parsed.toBinary({});
  parsed.destroy();
  writeFileSync(join(here, file.replace(/\.wat$/, '.wasm')), buffer);
  console.log(`${file} → ${buffer.length} bytes`);
}
