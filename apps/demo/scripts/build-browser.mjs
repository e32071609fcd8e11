// Bundles the browser demo (browser/main.ts and everything it imports: the Plinth packages, zod, the Extism
// SDK's browser build) into dist/browser/, beside the page and its stylesheet, and the Web Worker lane's
// script (@plinth/runtime/browser/lane-worker, an entry of its own) as lane-worker.js. `plinth-demo
// browser` serves that folder.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(app, 'browser');
const out = join(app, 'dist', 'browser');

mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(source, 'main.ts'), 'lane-worker': '@plinth/runtime/browser/lane-worker' },
  outdir: out,
  tsconfig: join(source, 'tsconfig.json'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) copyFileSync(join(source, file), join(out, file));
