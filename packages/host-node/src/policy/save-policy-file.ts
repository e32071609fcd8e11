import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CompiledPolicy, PolicyError } from '@plinth/permissions';
import { checkOptions, trustPolicySchema, type Policy } from '@plinth/protocol';
import { parseDocument, stringify } from 'yaml';
import { writeFileAtomic } from '../directory/atomic-write.js';
import { splitFrontMatter } from './front-matter.js';
import { assertPolicyFileExtension, type PolicyFileFormat } from './parse-policy-text.js';
import { fileProblem, PolicyFileError } from './policy-file-error.js';
import { savePolicyArgumentsSchema } from './policy-options.js';

/** What `savePolicyFile` may be told: how the file holds the policy. */
export interface SavePolicyFileOptions {
  /** Default: `front-matter` for `.md`/`.markdown` files, else `document`. */
  format?: PolicyFileFormat;
}

export const formatOfPath = (path: string): PolicyFileFormat =>
  ['.md', '.markdown'].includes(extname(path).toLowerCase()) ? 'front-matter' : 'document';

/**
 * Writes a policy to a file atomically, after validating it (an invalid policy is never written). In a
 * markdown file only the front matter's `plugins` key is rewritten — its other keys and comments stay, and
 * the body after the closing `---` is kept byte for byte. A YAML file keeps its comments and other keys;
 * a JSON file its other keys. The `trust` section is written only when the policy has one that differs
 * from the file's (so its comments survive grants and revokes); a policy without one leaves it as it is.
 */
export async function savePolicyFile(
  path: string,
  policy: Policy | CompiledPolicy,
  options: SavePolicyFileOptions = {},
): Promise<CompiledPolicy> {
  checkOptions('savePolicyFile', savePolicyArgumentsSchema, { path, options });
  const format = options.format ?? formatOfPath(path);
  if (format === 'document') assertPolicyFileExtension(path);
  let compiled: CompiledPolicy;
  try {
    compiled = CompiledPolicy.compile(policy);
  } catch (error) {
    if (!PolicyError.isInstance(error)) throw error;
    throw new PolicyFileError({ file: path, issues: error.issues, cause: error });
  }
  const existing = await readExisting(path);
  await writeFileAtomic(
    path,
    format === 'front-matter'
      ? withFrontMatter(path, existing, compiled.policy)
      : asDocument(path, existing, compiled.policy),
  );
  return compiled;
}

/** Whether the `trust` value of a file means the same as the policy's (both read by the schema). */
function sameTrust(written: unknown, trust: Policy['trust']): boolean {
  const parsed = trustPolicySchema.safeParse(written);
  return parsed.success && isDeepStrictEqual(parsed.data, trust);
}

/** The top-level keys a new file starts with: `plugins`, and `trust` when the policy has one. */
const sectionsOf = (policy: Policy): Record<string, unknown> => ({
  plugins: policy.plugins,
  ...(policy.trust === undefined ? {} : { trust: policy.trust }),
});

async function readExisting(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileProblem(path, `cannot read the file to update it: ${(error as Error).message}`, error);
  }
}

/** The YAML text with `plugins` (and a changed `trust`) set, keeping everything else of an existing mapping. */
function setSections(path: string, yaml: string, policy: Policy, what: string): string {
  const document = parseDocument(yaml);
  if (document.errors.length > 0) {
    throw fileProblem(
      path,
      `${what} is not valid YAML, so it is not rewritten: ${document.errors[0]?.message ?? ''}`,
    );
  }
  const value: unknown = document.toJS();
  if (value === null || value === undefined) return stringify(sectionsOf(policy));
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw fileProblem(path, `${what} is not a YAML mapping, so it is not rewritten`);
  }
  document.set('plugins', document.createNode(policy.plugins));
  const { trust } = policy;
  if (trust !== undefined && !sameTrust((value as Record<string, unknown>)['trust'], trust)) {
    document.set('trust', document.createNode(trust));
  }
  return document.toString();
}

function asDocument(path: string, existing: string | undefined, policy: Policy): string {
  if (extname(path).toLowerCase() === '.json') {
    let base: Record<string, unknown> = {};
    if (existing !== undefined && existing.trim() !== '') {
      try {
        const value: unknown = JSON.parse(existing);
        if (typeof value === 'object' && value !== null && !Array.isArray(value))
          base = value as Record<string, unknown>;
      } catch {
        // An unreadable JSON file is replaced: the policy being saved is the valid one.
      }
    }
    const trust =
      policy.trust === undefined || sameTrust(base['trust'], policy.trust) ? {} : { trust: policy.trust };
    return `${JSON.stringify({ ...base, plugins: policy.plugins, ...trust }, null, 2)}\n`;
  }
  return existing === undefined || existing.trim() === ''
    ? stringify(sectionsOf(policy))
    : setSections(path, existing, policy, 'the file');
}

function withFrontMatter(path: string, existing: string | undefined, policy: Policy): string {
  const text = existing ?? '';
  const split = splitFrontMatter(text);
  if (split.kind === 'unterminated') {
    throw fileProblem(
      path,
      'the front matter opened by --- on the first line is not closed, so it is not rewritten',
    );
  }
  if (split.kind === 'none') return `---\n${stringify(sectionsOf(policy))}---\n${text}`;
  const yaml = setSections(path, split.yaml, policy, 'the front matter');
  return `${split.open}${yaml.endsWith('\n') ? yaml : `${yaml}\n`}${split.close}${split.body}`;
}
