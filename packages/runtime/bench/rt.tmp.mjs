import { Worker } from 'node:worker_threads';
const w = new Worker(`const {parentPort}=require('node:worker_threads'); parentPort.on('message', m => parentPort.postMessage(m));`, { eval: true });
const once = () => new Promise(r => w.once('message', r));
for (let i = 0; i < 2000; i++) { const p = once(); w.postMessage(i); await p; }
let t = performance.now();
for (let i = 0; i < 20000; i++) { const p = once(); w.postMessage({id:i, input: new Uint8Array(30)}); await p; }
console.log('postMessage rt us', (performance.now() - t) / 20);
// atomics ping-pong
const sab = new SharedArrayBuffer(8); const a = new Int32Array(sab);
const w2 = new Worker(`const {workerData}=require('node:worker_threads'); const a=new Int32Array(workerData); for(;;){ Atomics.wait(a,0,0); Atomics.store(a,0,0); Atomics.store(a,1,1); Atomics.notify(a,1);} `, { eval: true, workerData: sab });
t = performance.now();
for (let i = 0; i < 20000; i++) { Atomics.store(a,1,0); Atomics.store(a,0,1); Atomics.notify(a,0); const r = Atomics.waitAsync(a,1,0); if (r.async) await r.value; }
console.log('atomics waitAsync rt us', (performance.now() - t) / 20);
process.exit(0);
