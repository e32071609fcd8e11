import { readFileSync } from 'node:fs';
import { openProtocolPluginFrom } from '/work/main/packages/runtime/src/index.js';
const wasm = new Uint8Array(readFileSync('/work/main/packages/testkit/guests/golden/c-protocol/plugin.wasm'));
const plugin = await openProtocolPluginFrom({ source: { bytes: wasm }, hostAppVersion: '1.0.0' });
const start = performance.now();
for (let i = 0; i < 200_000; i++) await plugin.command('ping');
console.log(((performance.now() - start) * 1000) / 200_000);
await plugin.shutdown();
