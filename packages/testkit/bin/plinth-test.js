#!/usr/bin/env node
// Node warns that WASI is experimental whenever @extism/extism loads node:wasi; a report on stderr should
// not start with that, so that one warning is dropped before the CLI loads.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  if (String(warning).includes('WASI is an experimental feature')) return;
  emitWarning(warning, ...rest);
};
const { main } = await import('../dist/conformance/cli.js');
process.exitCode = await main(process.argv.slice(2), process);
