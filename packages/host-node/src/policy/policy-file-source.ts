import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { CompiledPolicy, PolicyStore, type PolicyProvider } from '@plinth/permissions';
import { checkOptions, type Policy } from '@plinth/protocol';
import {
  assertPolicyFileExtension,
  parsePolicyText,
  POLICY_FILE_MAX_BYTES,
  type PolicyFileFormat,
} from './parse-policy-text.js';
import { fileProblem, PolicyFileError } from './policy-file-error.js';
import { policySourceArgumentsSchema } from './policy-options.js';
import { savePolicyFile } from './save-policy-file.js';

/**
 * What `policyFromFile` and `policyFromFrontMatter` may be told: watching, and who hears changes and errors.
 */
export interface PolicyFileSourceOptions {
  /** Re-read the file when it changes. Default true. */
  watch?: boolean;
  /** Quiet time after a change before the file is re-read. Default 100 ms. */
  debounceMs?: number;
  /** A new policy took effect. */
  onChange?: (policy: CompiledPolicy) => void;
  /** A re-read failed; the last good policy stays in effect. */
  onError?: (error: PolicyFileError) => void;
}

/** A policy read from a file, for `createPolicyChecker({ policy: source })` or any PolicySource user. */
export interface PolicyFileSource extends PolicyProvider {
  readonly path: string;
  /** The store holding the last good policy; `current()` reads it. */
  readonly store: PolicyStore;
  current(): CompiledPolicy;
  /** The error of the last read, or undefined when it was good. */
  readonly lastError: PolicyFileError | undefined;
  /** Re-reads the file now. Throws `PolicyFileError` (keeping the last good policy) when it cannot be used. */
  reload(): Promise<CompiledPolicy>;
  /** Writes a policy to the file (see `savePolicyFile`) and makes it current at once. */
  save(policy: Policy | CompiledPolicy): Promise<CompiledPolicy>;
  /** Stops watching the file and waits for a save in progress; the last good policy stays readable. */
  close(): Promise<void>;
}

/** A policy file: YAML (`.yaml`, `.yml`) or JSON (`.json`), the whole file being the policy document. */
export async function policyFromFile(
  path: string,
  options: PolicyFileSourceOptions = {},
): Promise<PolicyFileSource> {
  checkOptions('policyFromFile', policySourceArgumentsSchema, { path, options });
  assertPolicyFileExtension(path);
  return openPolicySource(resolve(path), 'document', options);
}

/** The `plugins:` key of a workspace markdown file's YAML front matter (between `---` lines). */
export async function policyFromFrontMatter(
  markdownPath: string,
  options: PolicyFileSourceOptions = {},
): Promise<PolicyFileSource> {
  checkOptions('policyFromFrontMatter', policySourceArgumentsSchema, { path: markdownPath, options });
  return openPolicySource(resolve(markdownPath), 'front-matter', options);
}

/** The file's text; undefined when it does not exist (a policy that grants nothing). */
async function readPolicyText(path: string): Promise<string | undefined> {
  try {
    const { size } = await stat(path);
    if (size > POLICY_FILE_MAX_BYTES) {
      throw fileProblem(
        path,
        `the file is ${size} bytes; a policy file may be at most ${POLICY_FILE_MAX_BYTES} bytes`,
      );
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if (PolicyFileError.isInstance(error)) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileProblem(path, `cannot read the file: ${(error as Error).message}`, error);
  }
}

const EMPTY_POLICY = { plugins: {} };

/**
 * Reads once (an invalid file throws: there is no last good policy yet; a missing file is an empty policy),
 * then re-reads on change. A missing file on a re-read is an empty policy too: deleting the policy file
 * revokes its grants rather than keeping them.
 */
async function openPolicySource(
  path: string,
  format: PolicyFileFormat,
  options: PolicyFileSourceOptions,
): Promise<PolicyFileSource> {
  const read = async (): Promise<{ text: string | undefined; policy: CompiledPolicy }> => {
    const text = await readPolicyText(path);
    return {
      text,
      policy: text === undefined ? CompiledPolicy.compile(EMPTY_POLICY) : parsePolicyText(text, format, path),
    };
  };
  const first = await read();
  const store = new PolicyStore(first.policy);
  let lastText = first.text;
  let lastError: PolicyFileError | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let watcher: FSWatcher | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const apply = (text: string | undefined, policy: CompiledPolicy): CompiledPolicy => {
    lastError = undefined;
    if (text === lastText && text !== undefined) return store.current();
    lastText = text;
    store.set(policy);
    options.onChange?.(policy);
    return policy;
  };

  const reload = (): Promise<CompiledPolicy> => {
    const run = queue.then(async () => {
      try {
        const { text, policy } = await read();
        return apply(text, policy);
      } catch (error) {
        if (PolicyFileError.isInstance(error)) lastError = error;
        throw error;
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };

  if (options.watch !== false) {
    const debounceMs = options.debounceMs ?? 100;
    const name = basename(path);
    const onChange = (_event: string, changed: string | Buffer | null): void => {
      // A null name (some platforms) may be our file; a re-read of unchanged text is cheap and ignored.
      if (closed || (changed !== null && changed.toString() !== name)) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        reload().catch((error: unknown) => {
          if (PolicyFileError.isInstance(error)) options.onError?.(error);
        });
      }, debounceMs);
    };
    // The folder is watched, not the file: editors and savePolicyFile replace the file by a rename, and
    // chokidar drops a rename that follows a change within its 100 ms throttle.
    watcher = watch(dirname(path), onChange);
    watcher.on('error', (error) =>
      options.onError?.(fileProblem(path, `cannot watch the file: ${error.message}`, error)),
    );
  }

  return {
    path,
    store,
    current: () => store.current(),
    get lastError() {
      return lastError;
    },
    reload,
    async save(policy) {
      const run = queue.then(async () => {
        const compiled = await savePolicyFile(path, policy, { format });
        lastText = await readPolicyText(path).catch(() => undefined);
        lastError = undefined;
        store.set(compiled);
        options.onChange?.(compiled);
        return compiled;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
      await queue;
    },
  };
}
