import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { checkOptions, defineOptions } from '@plinth/protocol';
import { z } from 'zod';
import { GUESTS_DIR } from './catalogue.js';
import { readCorpusJson } from './read-corpus-json.js';

/**
 * One row of the conformance table: a command request, the response it must get, and the host calls it must
 * make.
 */
export interface ConformanceRow {
  name: string;
  request: { command: string; params: unknown };
  response: unknown;
  /** Host calls the guest must make, in order; a call without `input` matches any input. */
  hostCalls: { function: string; input?: unknown }[];
}

/**
 * The shared conformance table every golden guest answers (`corpus/conformance.json`): the host answers to
 * give, what the manifest must declare, and the rows.
 */
export interface ConformanceTable {
  description: string;
  host: Record<string, string>;
  manifest: { capabilities: string[]; commands: string[] };
  rows: ConformanceRow[];
}

/** How one row (or the manifest check) went for one guest. */
export interface ConformanceResult {
  row: string;
  ok: boolean;
  /** What differed, in words; empty when ok. */
  problems: string[];
}

/** A host call as the guest made it: the catalogue function and its raw input text. */
export interface ConformanceHostCall {
  function: string;
  input: string;
}

/**
 * A guest instance the table is run against, on whatever engine the caller chose. Its host functions must
 * answer each function named in the table's `host` with that text and every other one "not available".
 */
export interface ConformanceSubject {
  /** Calls an export with text input; answers its output as text, or null when it set none. */
  call(exportName: string, input: string): Promise<string | null>;
  /** Every host call the instance has made so far, in order; the rows read what each call added. */
  readonly hostCalls: readonly ConformanceHostCall[];
}

const conformanceTableSchema: z.ZodType<ConformanceTable> = z.object({
  description: z.string(),
  host: z.record(z.string(), z.string()),
  manifest: z.object({ capabilities: z.array(z.string()), commands: z.array(z.string()) }),
  rows: z
    .array(
      z.object({
        name: z.string().min(1),
        request: z.object({ command: z.string(), params: z.unknown() }),
        response: z.unknown(),
        hostCalls: z.array(z.object({ function: z.string(), input: z.unknown().exactOptional() })),
      }),
    )
    .min(1),
});

const SUBJECT = 'a ConformanceSubject (a call method and a hostCalls array)';
const conformanceSubjectSchema = defineOptions<{ subject: ConformanceSubject }>()(
  z.strictObject({
    // Not objectOption: that checks methods only, and hostCalls is an array.
    subject: z
      .custom<ConformanceSubject>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as { call?: unknown }).call === 'function' &&
          Array.isArray((value as { hostCalls?: unknown }).hostCalls),
        { error: SUBJECT },
      )
      .describe(SUBJECT),
  }),
);

let cache: ConformanceTable | undefined;

/** Reads the conformance table shipped with the corpus, checked against its schema. */
export function loadConformanceTable(): ConformanceTable {
  cache ??= readCorpusJson(join(GUESTS_DIR, 'conformance.json'), conformanceTableSchema);
  return cache;
}

const parseOrText = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/**
 * Runs the shared conformance table against one guest instance: checks its manifest declares the table's
 * commands and capability, then each row's response and host calls. A trapping row is a failed row; the
 * subject stays the caller's to close.
 */
export async function checkConformanceTable(subject: ConformanceSubject): Promise<ConformanceResult[]> {
  checkOptions('checkConformanceTable', conformanceSubjectSchema, { subject });
  const table = loadConformanceTable();
  const results: ConformanceResult[] = [];
  const manifestProblems: string[] = [];
  const manifest = parseOrText((await subject.call('manifest', '')) ?? '') as Record<string, unknown>;
  for (const capability of table.manifest.capabilities) {
    if (!(manifest['capabilities'] as unknown[] | undefined)?.includes(capability)) {
      manifestProblems.push(`manifest does not declare capability ${capability}`);
    }
  }
  for (const command of table.manifest.commands) {
    if (!(manifest['commands'] as unknown[] | undefined)?.includes(command)) {
      manifestProblems.push(`manifest does not list command ${command}`);
    }
  }
  results.push({
    row: 'manifest lists the conformance commands',
    ok: manifestProblems.length === 0,
    problems: manifestProblems,
  });

  for (const row of table.rows) {
    const before = subject.hostCalls.length;
    const problems: string[] = [];
    let output: unknown;
    try {
      output = parseOrText((await subject.call('handle_command', JSON.stringify(row.request))) ?? '');
    } catch (error) {
      problems.push(`handle_command failed: ${(error as Error).message}`);
    }
    if (problems.length === 0 && !isDeepStrictEqual(output, row.response)) {
      problems.push(`response ${JSON.stringify(output)} ≠ expected ${JSON.stringify(row.response)}`);
    }
    const made = subject.hostCalls
      .slice(before)
      .map((call) => ({ function: call.function, input: parseOrText(call.input) }));
    const matches =
      made.length === row.hostCalls.length &&
      row.hostCalls.every((want, i) => {
        const got = made[i];
        return (
          got?.function === want.function && (!('input' in want) || isDeepStrictEqual(got.input, want.input))
        );
      });
    if (!matches)
      problems.push(`host calls ${JSON.stringify(made)} ≠ expected ${JSON.stringify(row.hostCalls)}`);
    results.push({ row: row.name, ok: problems.length === 0, problems });
  }
  return results;
}
