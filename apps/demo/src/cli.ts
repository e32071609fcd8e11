#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeGuestManifest, formatPath } from '@plinth/protocol';
import { renderCatalogue, renderConformance, renderManifestReport } from './protocol-demo.js';

const usage = `plinth-demo — the Plinth protocol demo

Usage:
  plinth-demo                      validate the sample manifest and print the host-function catalogue
  plinth-demo manifest <file>      validate a GuestManifest JSON file
  plinth-demo catalogue            print the host-function catalogue
  plinth-demo guests               run the golden guests against the conformance table
`;

async function main(argv: string[]): Promise<number> {
  const [command, arg] = argv;
  const sample = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples', 'word-count.manifest.json');
  switch (command) {
    case undefined: {
      console.log(validateFile(sample).report);
      console.log(renderCatalogue());
      const conformance = await renderConformance();
      console.log(conformance.report);
      return conformance.ok ? 0 : 1;
    }
    case 'guests': {
      const conformance = await renderConformance();
      console.log(conformance.report);
      return conformance.ok ? 0 : 1;
    }
    case 'manifest': {
      if (!arg) {
        console.error('plinth-demo manifest: give the path of a manifest JSON file');
        return 2;
      }
      const { report, ok } = validateFile(arg);
      (ok ? console.log : console.error)(report);
      return ok ? 0 : 1;
    }
    case 'catalogue':
      console.log(renderCatalogue());
      return 0;
    case 'help':
    case '--help':
      console.log(usage);
      return 0;
    default:
      console.error(`plinth-demo: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

function validateFile(path: string): { ok: boolean; report: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    return { ok: false, report: `cannot read ${path}: ${(cause as Error).message}` };
  }
  const result = decodeGuestManifest(text);
  if (!result.ok) {
    const lines = result.error.issues.map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`);
    return {
      ok: false,
      report: `✗ ${path} is not a valid manifest [${result.error.code}]\n${lines.join('\n')}`,
    };
  }
  return { ok: true, report: renderManifestReport(path, result.value, result.warnings) };
}

process.exitCode = await main(process.argv.slice(2));
