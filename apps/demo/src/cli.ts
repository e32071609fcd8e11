#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
// The flag hides Node's "WASI is experimental" line (@extism/extism uses WASI); plugin workers inherit it.
import { main } from './main.js';

// SIGINT/SIGTERM stop the long-running commands (logs --follow, mcp) cleanly: plugins shut down first.
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  signal: controller.signal,
  env: process.env,
});
