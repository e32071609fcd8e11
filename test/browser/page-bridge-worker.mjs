// @ts-check
// The worker half of page-bridge.ts: it owns Chromium and the page, so the test's thread can block on a
// call (Atomics.wait) while this thread drives the page. Plain JavaScript: Node starts a worker from a file
// it can run as it is.
import { workerData } from 'node:worker_threads';
import { chromium } from 'playwright-core';

/**
 * @typedef {{ op: 'launch', url: string } | { op: 'reload' } | { op: 'problems' } | { op: 'close' }
 *   | { op: 'invoke', method: string, args: string }} BridgeMessage
 */

/** @type {{ signal: SharedArrayBuffer, syncPort: import('node:worker_threads').MessagePort, asyncPort: import('node:worker_threads').MessagePort, executablePath: string }} */
const { signal, syncPort, asyncPort, executablePath } = workerData;
const flag = new Int32Array(signal);
/** @type {import('playwright-core').Browser | undefined} */
let browser;
/** @type {import('playwright-core').Page | undefined} */
let page;
/** @type {string[]} What the page reported: script errors and console errors. */
const problems = [];

const pageOf = () => {
  if (page === undefined) throw new Error('the page is not open');
  return page;
};
const ready = () => pageOf().waitForFunction(() => 'plinthBridge' in globalThis);

/** @param {BridgeMessage} message @returns {Promise<string>} */
async function run(message) {
  switch (message.op) {
    case 'launch': {
      browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
      page = await browser.newPage();
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (line) => {
        if (line.type() === 'error') problems.push(line.text());
      });
      // What the page sends of its own accord (e.g. WebSocket events), passed on in order.
      await page.exposeFunction('plinthNotify', (/** @type {string} */ notice) => {
        asyncPort.postMessage({ notice });
      });
      await page.goto(message.url);
      await ready();
      return '';
    }
    case 'reload':
      await pageOf().reload();
      await ready();
      return '';
    case 'invoke':
      return pageOf().evaluate(
        ({ method, args }) =>
          /** @type {{ plinthBridge: { invoke(m: string, a: string): Promise<string> } }} */ (
            /** @type {unknown} */ (globalThis)
          ).plinthBridge.invoke(method, args),
        { method: message.method, args: message.args },
      );
    case 'problems':
      return JSON.stringify(problems);
    case 'close':
      await browser?.close();
      return '';
  }
}

/** @param {BridgeMessage} message */
async function answer(message) {
  try {
    return { ok: await run(message) };
  } catch (error) {
    return { failed: error instanceof Error ? error.message : String(error) };
  }
}

syncPort.on('message', async (/** @type {BridgeMessage} */ message) => {
  syncPort.postMessage(await answer(message));
  // The reply is queued before the waiting thread wakes: it reads it with receiveMessageOnPort.
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});

asyncPort.on('message', async (/** @type {{ id: number, message: BridgeMessage }} */ { id, message }) => {
  asyncPort.postMessage({ id, ...(await answer(message)) });
});
