import { readFileSync } from 'node:fs';
import { createIsolatedLane } from '../src/node/index.js';
import { resolveLimits } from '../src/limits.js';
const bytes = readFileSync('/work/main/packages/testkit/guests/golden/c-protocol/plugin.wasm');
const module = new WebAssembly.Module(bytes);
const lane = await createIsolatedLane({ module, limits: resolveLimits({ timeoutMs: 1000 }), bundle: {
  host_log: (r) => { console.log('log', r); return ''; },
  host_get_timestamp: async () => { await new Promise(r => setTimeout(r, 5)); return '1700000000000'; },
}});
const ctx = { pluginId: 'plinth-golden.c', exportName: 'handle_command' };
const dec = new TextDecoder();
console.log(dec.decode((await lane.call('handle_command', JSON.stringify({command:'ping',params:null}), ctx)).output!));
console.log(dec.decode((await lane.call('handle_command', JSON.stringify({command:'greet',params:{name:'Zoë'}}), ctx)).output!));
console.log(dec.decode((await lane.call('handle_command', JSON.stringify({command:'time',params:null}), ctx)).output!));
let t = performance.now();
for (let i = 0; i < 10000; i++) await lane.call('handle_command', '{"command":"ping","params":null}', ctx);
console.log('ping us', (performance.now() - t) / 10000 * 1000);
await lane.close();
