import { readFileSync } from 'node:fs';
import { decodeGuestManifest, formatPath } from '@plinth/protocol';
import { UsageError, type CliIo } from './cli-io.js';
import { renderCatalogue, renderConformance, renderManifestReport } from './protocol-demo.js';

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

/** The protocol demo's commands (no workspace, no host); undefined for any other command. */
export function runProtocolCommand(command: string, args: string[], io: CliIo): Promise<number> | undefined {
  switch (command) {
    case 'validate': {
      const file = args[0];
      if (file === undefined || args.length > 1)
        throw new UsageError('give the path of one manifest JSON file');
      const { ok, report } = validateFile(file);
      (ok ? io.stdout : io.stderr)(`${report}\n`);
      return Promise.resolve(ok ? 0 : 1);
    }
    case 'catalogue':
      io.stdout(`${renderCatalogue()}\n`);
      return Promise.resolve(0);
    case 'guests':
      return renderConformance().then(({ ok, report }) => {
        io.stdout(`${report}\n`);
        return ok ? 0 : 1;
      });
    default:
      return undefined;
  }
}
