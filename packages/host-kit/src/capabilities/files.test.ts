import {
  createAllowAllChecker,
  createAskChecker,
  createPolicyChecker,
  type AskPrompt,
} from '@plinth/permissions';
import { getHostFunction, type HostFunctionName } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import type { HostAnswer, HostBundle } from '../bundle/host-bundle.js';
import {
  createFilesBundle,
  fileEventToGuestEvent,
  WorkspaceFileError,
  type FileEvent,
  type WorkspaceFiles,
} from './files.js';

/** A one-folder service recording every call, so tests can see what ran before the permission check. */
function fakeFiles(initial: Record<string, Uint8Array> = {}) {
  const files = new Map(Object.entries(initial));
  const calls: string[] = [];
  const missing = (path: string) => new WorkspaceFileError({ reason: 'not_found', path });
  const service: WorkspaceFiles = {
    stat(path) {
      calls.push(`stat ${path}`);
      const bytes = files.get(path);
      return bytes === undefined ? undefined : { kind: 'file', sizeBytes: bytes.length, modifiedAtMs: 1.7 };
    },
    read(path) {
      calls.push(`read ${path}`);
      const bytes = files.get(path);
      if (bytes === undefined) throw missing(path);
      return bytes;
    },
    hash: () => 'a'.repeat(64),
    list: () => [...files.keys()],
    listDir: () => [...files.keys()],
    write(path, content) {
      calls.push(`write ${path}`);
      files.set(path, content);
    },
    delete(path) {
      calls.push(`delete ${path}`);
      if (!files.delete(path)) throw missing(path);
    },
  };
  return { service, files, calls };
}

const context = { pluginId: 'test.plugin', exportName: 'handle_command' };

async function call(bundle: HostBundle, name: HostFunctionName, request: object): Promise<string> {
  const spec = getHostFunction(name);
  const decoded = spec.decodeRequest(JSON.stringify(request));
  if (!decoded.ok) return spec.failureOutput(decoded.error.message);
  const handler = bundle[name] as (request: unknown, context: object) => HostAnswer | Promise<HostAnswer>;
  const answer = await handler(decoded.value, context);
  return typeof answer === 'string' ? answer : spec.failureOutput((answer as { failure: string }).failure);
}

describe('createFilesBundle', () => {
  it('implements exactly the ten workspace-file functions', () => {
    const bundle = createFilesBundle({ files: fakeFiles().service, permissions: createAllowAllChecker() });
    expect(Object.keys(bundle).sort()).toEqual([
      'host_delete_file',
      'host_file_exists',
      'host_file_metadata',
      'host_hash_file',
      'host_list_dir',
      'host_list_files',
      'host_read_binary',
      'host_read_file',
      'host_write_binary',
      'host_write_file',
    ]);
  });

  it('checks permission before reading, and only stats before a write', async () => {
    const { service, calls } = fakeFiles({ 'a.md': new Uint8Array([104, 105]) });
    const permissions = createPolicyChecker({ policy: { plugins: {} } });
    const bundle = createFilesBundle({ files: service, permissions });
    expect(await call(bundle, 'host_read_file', { path: 'a.md' })).toMatch(
      /^\{"error":"host_read_file: Permission/,
    );
    expect(await call(bundle, 'host_write_file', { path: 'a.md', content: 'x' })).toMatch(
      /^host_write_file: Permission not configured .* edit_files on 'a.md'/,
    );
    expect(await call(bundle, 'host_delete_file', { path: 'a.md' })).toMatch(/^host_delete_file: Permission/);
    expect(calls).toEqual(['stat a.md']);
  });

  it('with ask, answers promises and asks for the type the existence check chose', async () => {
    const prompts: string[] = [];
    const permissions = createAskChecker({
      base: createPolicyChecker({ policy: { plugins: {} } }),
      ask: async (prompt: AskPrompt) => {
        prompts.push(`${prompt.permission} ${prompt.target}`);
        return prompt.permission === 'create_files' ? 'allow_once' : 'deny';
      },
    });
    const events: FileEvent[] = [];
    const { service, files } = fakeFiles({ 'old.md': new Uint8Array([1]) });
    const bundle = createFilesBundle({
      files: service,
      permissions,
      ask: true,
      onFileEvent: (e) => events.push(e),
    });
    const handler = bundle.host_write_file!;
    const pending = handler({ path: 'new.md', content: 'hi' }, context);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toBe('');
    expect(await call(bundle, 'host_write_file', { path: 'old.md', content: 'x' })).toBe(
      "host_write_file: Permission denied for plugin 'test.plugin': edit_files on 'old.md'",
    );
    expect(prompts).toEqual(['create_files new.md', 'edit_files old.md']);
    expect(new TextDecoder().decode(files.get('new.md'))).toBe('hi');
    expect(files.get('old.md')).toEqual(new Uint8Array([1]));
    expect(events).toEqual([{ type: 'file_created', path: 'new.md', pluginId: 'test.plugin' }]);
  });

  it('base64 round-trips bytes larger than one encoding chunk', async () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256);
    const { service } = fakeFiles();
    const bundle = createFilesBundle({ files: service, permissions: createAllowAllChecker() });
    const content = Buffer.from(bytes).toString('base64');
    expect(await call(bundle, 'host_write_binary', { path: 'big.bin', content })).toBe('');
    expect(await call(bundle, 'host_read_binary', { path: 'big.bin' })).toBe(
      JSON.stringify({ data: content }),
    );
  });

  it('truncates a fractional mtime and leaves other service errors to the runtime', async () => {
    const { service } = fakeFiles({ 'a.md': new Uint8Array([1, 2]) });
    const bundle = createFilesBundle({
      files: {
        ...service,
        hash: () => {
          throw new Error('disk on fire');
        },
      },
      permissions: createAllowAllChecker(),
    });
    expect(await call(bundle, 'host_file_metadata', { path: 'a.md' })).toBe(
      '{"exists":true,"size_bytes":2,"modified_at_ms":1}',
    );
    // The runtime answers a throw as "internal error in the host" and reports it to onHandlerError.
    await expect(call(bundle, 'host_hash_file', { path: 'a.md' })).rejects.toThrow('disk on fire');
  });
});

describe('WorkspaceFileError', () => {
  it('names the path in every message, quoting control characters, and never a host path', () => {
    const message = (reason: WorkspaceFileError['reason'], errno?: string) =>
      new WorkspaceFileError({ reason, path: 'a\nb.md', errno }).message;
    expect(message('not_found')).toBe('"a\\nb.md" does not exist');
    expect(message('escape')).toBe('"a\\nb.md" resolves outside the workspace');
    expect(message('access_denied', 'EACCES')).toBe('"a\\nb.md" cannot be accessed by the host (EACCES)');
    expect(message('io', 'EIO')).toBe('I/O error on "a\\nb.md" (EIO)');
    expect(WorkspaceFileError.parentNotAFolder('x/y').message).toBe('"x/y": a parent folder is a file');
  });

  it('is recognised across copies by its marker', () => {
    const error = new WorkspaceFileError({ reason: 'too_large', path: 'x' });
    expect(WorkspaceFileError.isInstance(error)).toBe(true);
    expect(
      WorkspaceFileError.isInstance({ ...error, [Symbol.for('plinth.workspace-file-error')]: true }),
    ).toBe(true);
    expect(WorkspaceFileError.isInstance(new Error('x'))).toBe(false);
  });
});

it('fileEventToGuestEvent gives the PROTOCOL.md GuestEvent shape', () => {
  expect(fileEventToGuestEvent({ type: 'file_saved', path: 'a/b.md', pluginId: 'p.q' })).toEqual({
    event_type: 'file_saved',
    payload: { path: 'a/b.md' },
  });
});
