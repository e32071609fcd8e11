import { extname } from 'node:path';
import { CompiledPolicy, PolicyError } from '@plinth/permissions';
import { parseDocument } from 'yaml';
import { fileProblem, PolicyFileError } from './policy-file-error.js';
import { splitFrontMatter } from './front-matter.js';

/** `document`: the whole file is the policy; `front-matter`: the `plugins` key of a markdown file's front matter. */
export type PolicyFileFormat = 'document' | 'front-matter';

/** Largest policy file read. Policies are a few KiB; this keeps a runaway file from being parsed. */
export const POLICY_FILE_MAX_BYTES = 4 * 1024 * 1024;

/** `.yaml`, `.yml` and `.json` files hold a policy document; anything else is refused. */
export function assertPolicyFileExtension(path: string): void {
  const extension = extname(path).toLowerCase();
  if (extension !== '.yaml' && extension !== '.yml' && extension !== '.json') {
    throw fileProblem(
      path,
      `a policy file must end in .yaml, .yml or .json (got ${JSON.stringify(extension)})`,
    );
  }
}

/** Parses YAML (JSON is YAML) into plain data; a syntax error names the line and column. */
export function parseYamlText(text: string, file: string, what: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [error] = document.errors;
  if (error !== undefined) throw fileProblem(file, `${what} is not valid YAML: ${error.message}`, error);
  try {
    return document.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (cause) {
    throw fileProblem(
      file,
      `${what} cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    );
  }
}

/**
 * The policy document a file's text holds; an empty file or front matter without `plugins` is
 * `{plugins: {}}`. From front matter only the `plugins` and `trust` keys are read.
 */
export function policyDocumentOf(text: string, format: PolicyFileFormat, file: string): unknown {
  if (format === 'document') return parseYamlText(text, file, 'the file') ?? { plugins: {} };
  const split = splitFrontMatter(text);
  if (split.kind === 'none') return { plugins: {} };
  if (split.kind === 'unterminated') {
    throw fileProblem(file, 'the front matter opened by --- on the first line is not closed by a --- line');
  }
  const data = parseYamlText(split.yaml, file, 'the front matter');
  if (data === null || data === undefined) return { plugins: {} };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw fileProblem(file, 'the front matter is not a YAML mapping');
  }
  const { plugins, trust } = data as Record<string, unknown>;
  return { plugins: plugins ?? {}, ...(trust === undefined ? {} : { trust }) };
}

/** Parses and compiles a policy file's text. Throws `PolicyFileError` naming the file and the field. */
export function parsePolicyText(text: string, format: PolicyFileFormat, file: string): CompiledPolicy {
  const document = policyDocumentOf(text, format, file);
  try {
    return CompiledPolicy.compile(document);
  } catch (error) {
    if (!PolicyError.isInstance(error)) throw error;
    throw new PolicyFileError({ file, issues: error.issues, cause: error });
  }
}
