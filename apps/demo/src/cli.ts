#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
// The flag hides Node's "WASI is experimental" line (@extism/extism uses WASI); plugin workers inherit it.
import { createInterface } from 'node:readline';
import { main } from './main.js';

// SIGINT/SIGTERM stop the long-running commands (logs --follow, mcp, dashboard) cleanly: plugins shut down first.
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());

/** One answer line from stdin (the question goes to stderr); undefined at end of input. */
function prompt(question: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process.stdin, output: process.stderr });
    let settled = false;
    const settle = (answer: string | undefined) => {
      settled = true;
      lines.close();
      resolve(answer);
    };
    lines.once('line', settle);
    lines.once('close', () => {
      if (settled) return;
      process.stderr.write('\n');
      resolve(undefined);
    });
    // On a terminal Ctrl-C reaches readline, not the process: it stops the install.
    lines.once('SIGINT', () => {
      settled = true;
      lines.close();
      process.stderr.write('\n');
      reject(new Error('stopped at the permission prompt'));
    });
    lines.setPrompt(question);
    lines.prompt();
  });
}

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  signal: controller.signal,
  env: process.env,
  interactive: process.stdin.isTTY === true,
  prompt,
});
