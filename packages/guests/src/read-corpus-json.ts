import { readFileSync } from 'node:fs';
import { formatPath, PlinthError } from '@plinth/protocol';
import type { z } from 'zod';

/**
 * Reads one JSON file of the corpus and checks it against `schema`. The files are generated and shipped
 * with the package, so a failure means a broken install or a hand edit: the error names the file, the
 * entry and the field, and says how to regenerate it.
 */
export function readCorpusJson<T>(path: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new PlinthError(
      'invalid_json',
      `${path} is not JSON (${error.message}); run \`pnpm guests:build\``,
      {
        cause: error,
      },
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map(
      (issue) => `${formatPath(issue.path as (string | number)[])}: ${issue.message}`,
    );
    throw new PlinthError(
      'invalid_payload',
      `${path} does not match the corpus schema (${issues.join('; ')}); run \`pnpm guests:build\``,
      { cause: result.error },
    );
  }
  return result.data;
}
