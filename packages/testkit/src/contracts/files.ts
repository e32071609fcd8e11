import { createHash } from 'node:crypto';
import {
  createMemoryAuditSink,
  createPolicyChecker,
  type AuditSink,
  type PermissionChecker,
} from '@plinth/permissions';
import type { HostFunctionName } from '@plinth/protocol';
import type { FileEvent, HostBundle } from '@plinth/host-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { callWireSync } from './wire.js';

/** What the contract asks a backend to set up for one test. */
export interface FilesContractSetup {
  /** The workspace's starting files (workspace-relative path → text or bytes; `dir/` = empty folder). */
  files: Readonly<Record<string, string | Uint8Array>>;
  permissions: PermissionChecker;
  audit: AuditSink;
  /** Give it to the bundle: the suite checks the file events of each write. */
  onFileEvent: (event: FileEvent) => void;
}

/** A workspace-files backend under test, set up as a FilesContractSetup asks. */
export interface FilesContractSubject {
  /** The files bundle under test, over a workspace holding `setup.files`. */
  bundle: HostBundle;
  /** The absolute workspace root the bundle was given (`workspaceRoot`), so absolute paths resolve. */
  workspaceRoot: string;
  /** Runs after the test (remove temp folders). */
  cleanup?: () => void | Promise<void>;
}

/** Builds a FilesContractSubject over the workspace a setup describes. */
export type MakeFilesSubject = (
  setup: FilesContractSetup,
) => FilesContractSubject | Promise<FilesContractSubject>;

const ALL = { include: ['all'] };
/** One policy for every test; each plugin id stands for one kind of grant. */
export const FILES_CONTRACT_POLICY = {
  plugins: {
    'test.all': { permissions: { read_files: ALL, edit_files: ALL, create_files: ALL, delete_files: ALL } },
    'test.notes': { permissions: { read_files: { include: ['notes'], exclude: ['notes/private'] } } },
    'test.creator': { permissions: { read_files: ALL, create_files: ALL } },
    'test.editor': { permissions: { read_files: ALL, edit_files: ALL } },
  },
};

/**
 * The workspace most file tests start from: text, nested folders, a private folder, bytes, bad UTF-8 and an
 * empty folder.
 */
export const FILES_CONTRACT_WORKSPACE: Readonly<Record<string, string | Uint8Array>> = {
  'README.md': 'readme',
  'notes/a.md': 'Hello Zoë 🌍\n',
  'notes/sub/b.md': '# B\n',
  'notes/private/secret.md': 'secret',
  'bin/data.bin': new Uint8Array([0, 1, 2, 255]),
  'bad-utf8.txt': new Uint8Array([0xc3, 0x28]),
  'empty/': '',
};

const notConfigured = (id: string, type: string, target: string) =>
  `Permission not configured for plugin '${id}': ${type} on '${target}'. Add plugins.${id}.permissions.${type} to the policy.`;
const denied = (id: string, type: string, target: string) =>
  `Permission denied for plugin '${id}': ${type} on '${target}'`;
const errorOf = (name: string, message: string) => JSON.stringify({ error: `${name}: ${message}` });

/**
 * The behaviour every workspace-files backend must have, tested through the bundle at the wire level
 * (request text in, answer text out, exactly as a guest sees them). Run it for each backend.
 */
export function describeFilesContract(label: string, makeSubject: MakeFilesSubject): void {
  describe(`files contract: ${label}`, () => {
    let events: FileEvent[] = [];
    let audit = createMemoryAuditSink();
    let cleanups: (() => void | Promise<void>)[] = [];
    let listenerBroken = false;
    let root = '';

    const open = async (files: Readonly<Record<string, string | Uint8Array>> = FILES_CONTRACT_WORKSPACE) => {
      events = [];
      audit = createMemoryAuditSink();
      listenerBroken = false;
      const subject = await makeSubject({
        files,
        permissions: createPolicyChecker({ policy: FILES_CONTRACT_POLICY }),
        audit,
        onFileEvent: (event) => {
          if (listenerBroken) throw new Error('listener broke');
          events.push(event);
        },
      });
      if (subject.cleanup) cleanups.push(subject.cleanup);
      root = subject.workspaceRoot;
      return (name: HostFunctionName, input: unknown, pluginId = 'test.all') =>
        callHost(subject.bundle, name, input, pluginId);
    };
    afterEach(async () => {
      // Taken first: a cleanup that throws fails its own test only, not every later one.
      const running = cleanups;
      cleanups = [];
      for (const cleanup of running) await cleanup();
    });

    describe('reading', () => {
      it('host_read_file answers the raw text, UTF-8 intact, with the path normalized', async () => {
        const call = await open();
        expect(call('host_read_file', { path: 'notes/a.md' })).toBe('Hello Zoë 🌍\n');
        expect(call('host_read_file', { path: './notes//a.md' })).toBe('Hello Zoë 🌍\n');
        expect(call('host_read_file', { path: 'notes\\sub\\b.md' })).toBe('# B\n');
      });

      it('host_read_file fails in shape E for a missing file, a folder and bytes that are not UTF-8', async () => {
        const call = await open();
        const read = (path: string) => call('host_read_file', { path });
        expect(read('notes/missing.md')).toBe(errorOf('host_read_file', '"notes/missing.md" does not exist'));
        expect(read('README.md/x')).toBe(errorOf('host_read_file', '"README.md/x" does not exist'));
        expect(read('notes')).toBe(errorOf('host_read_file', '"notes" is not a file'));
        expect(read('bad-utf8.txt')).toBe(
          errorOf('host_read_file', '"bad-utf8.txt" is not valid UTF-8 text; read it with host_read_binary'),
        );
        expect(read('')).toBe(errorOf('host_read_file', 'path must name a file, not the workspace root'));
      });

      it('host_read_binary answers {data: base64}', async () => {
        const call = await open();
        expect(call('host_read_binary', { path: 'bin/data.bin' })).toBe('{"data":"AAEC/w=="}');
        expect(call('host_read_binary', { path: 'bad-utf8.txt' })).toBe('{"data":"wyg="}');
        expect(call('host_read_binary', { path: 'nope' })).toBe(
          errorOf('host_read_binary', '"nope" does not exist'),
        );
      });

      it('host_list_files lists files and folders under the prefix, recursively and sorted', async () => {
        const call = await open();
        expect(JSON.parse(call('host_list_files', { prefix: '' }))).toEqual([
          'README.md',
          'bad-utf8.txt',
          'bin',
          'bin/data.bin',
          'empty',
          'notes',
          'notes/a.md',
          'notes/private',
          'notes/private/secret.md',
          'notes/sub',
          'notes/sub/b.md',
        ]);
        expect(call('host_list_files', {})).toBe(call('host_list_files', { prefix: '' }));
        expect(call('host_list_files', { prefix: 'notes/sub/' })).toBe('["notes/sub/b.md"]');
        expect(call('host_list_files', { prefix: 'empty' })).toBe('[]');
        expect(call('host_list_files', { prefix: 'missing' })).toBe('[]');
        expect(call('host_list_files', { prefix: 'README.md' })).toBe(
          errorOf('host_list_files', '"README.md" is not a folder'),
        );
      });

      it('host_list_files leaves out what an exclude denies the plugin', async () => {
        const call = await open();
        expect(call('host_list_files', { prefix: 'notes' }, 'test.notes')).toBe(
          '["notes/a.md","notes/sub","notes/sub/b.md"]',
        );
        expect(call('host_list_dir', { path: 'notes' }, 'test.notes')).toBe('["notes/a.md","notes/sub"]');
      });

      it('host_list_dir lists direct children as workspace-relative paths', async () => {
        const call = await open();
        expect(call('host_list_dir', { path: '' })).toBe(
          '["README.md","bad-utf8.txt","bin","empty","notes"]',
        );
        expect(call('host_list_dir', { path: 'notes' })).toBe('["notes/a.md","notes/private","notes/sub"]');
        expect(call('host_list_dir', { path: 'empty' })).toBe('[]');
        expect(call('host_list_dir', { path: 'gone' })).toBe(
          errorOf('host_list_dir', '"gone" does not exist'),
        );
        expect(call('host_list_dir', { path: 'README.md' })).toBe(
          errorOf('host_list_dir', '"README.md" is not a folder'),
        );
      });

      it('host_file_exists answers true for files and folders, false otherwise', async () => {
        const call = await open();
        const exists = (path: string) => call('host_file_exists', { path });
        expect([
          exists('README.md'),
          exists('notes'),
          exists('notes/nope.md'),
          exists('README.md/x'),
        ]).toEqual(['true', 'true', 'false', 'false']);
      });

      it('host_file_metadata answers size and an integer mtime, or the not-found shape', async () => {
        const call = await open();
        const file = JSON.parse(call('host_file_metadata', { path: 'bin/data.bin' })) as Record<
          string,
          unknown
        >;
        expect(file).toEqual({ exists: true, size_bytes: 4, modified_at_ms: expect.any(Number) });
        expect(Number.isInteger(file.modified_at_ms)).toBe(true);
        const folder = JSON.parse(call('host_file_metadata', { path: 'notes' })) as Record<string, unknown>;
        expect(folder).toEqual({ exists: true, size_bytes: null, modified_at_ms: expect.any(Number) });
        expect(call('host_file_metadata', { path: 'nope' })).toBe(
          '{"exists":false,"size_bytes":null,"modified_at_ms":null}',
        );
      });

      it('host_hash_file answers the sha256 hex of a file, "" for a folder or a missing file', async () => {
        const call = await open();
        const hash = createHash('sha256').update('Hello Zoë 🌍\n').digest('hex');
        expect(call('host_hash_file', { path: 'notes/a.md' })).toBe(JSON.stringify({ hash }));
        expect(call('host_hash_file', { path: 'notes' })).toBe('');
        expect(call('host_hash_file', { path: 'nope' })).toBe('');
      });
    });

    describe('permissions', () => {
      it('denials and missing rules answer the policy message in shape E, before any read', async () => {
        const call = await open();
        expect(call('host_read_file', { path: 'notes/private/secret.md' }, 'test.notes')).toBe(
          errorOf('host_read_file', denied('test.notes', 'read_files', 'notes/private/secret.md')),
        );
        expect(call('host_read_file', { path: 'README.md' }, 'test.notes')).toBe(
          errorOf('host_read_file', notConfigured('test.notes', 'read_files', 'README.md')),
        );
        expect(call('host_read_file', { path: 'missing.md' }, 'test.none')).toBe(
          errorOf('host_read_file', notConfigured('test.none', 'read_files', 'missing.md')),
        );
        expect(call('host_list_files', { prefix: '' }, 'test.notes')).toBe(
          errorOf('host_list_files', notConfigured('test.notes', 'read_files', '')),
        );
        expect(call('host_read_binary', { path: 'notes/private/secret.md' }, 'test.notes')).toBe(
          errorOf('host_read_binary', denied('test.notes', 'read_files', 'notes/private/secret.md')),
        );
        expect(call('host_read_file', { path: 'notes/a.md' }, 'test.notes')).toBe('Hello Zoë 🌍\n');
      });

      it('quiet functions answer their absent value on denial and report it to the audit sink', async () => {
        const call = await open();
        const path = 'notes/private/secret.md';
        expect(call('host_file_exists', { path }, 'test.notes')).toBe('false');
        expect(call('host_file_metadata', { path }, 'test.notes')).toBe(
          '{"exists":false,"size_bytes":null,"modified_at_ms":null}',
        );
        expect(call('host_hash_file', { path }, 'test.notes')).toBe('');
        expect(audit.decisions.map((d) => [d.pluginId, d.permission, d.target, d.outcome])).toEqual([
          ['test.notes', 'read_files', path, 'denied'],
          ['test.notes', 'read_files', path, 'denied'],
          ['test.notes', 'read_files', path, 'denied'],
        ]);
      });
    });

    describe('writing', () => {
      it('host_write_file creates a file (and its folders) under create_files, then edits under edit_files', async () => {
        const call = await open();
        expect(call('host_write_file', { path: 'new/deep/x.md', content: 'Zoë 🌍' })).toBe('');
        expect(call('host_read_file', { path: 'new/deep/x.md' })).toBe('Zoë 🌍');
        expect(call('host_list_files', { prefix: 'new' })).toBe('["new/deep","new/deep/x.md"]');
        expect(call('host_write_file', { path: './new//deep/x.md', content: 'second' })).toBe('');
        expect(call('host_read_file', { path: 'new/deep/x.md' })).toBe('second');
        expect(events).toEqual([
          { type: 'file_created', path: 'new/deep/x.md', pluginId: 'test.all' },
          { type: 'file_saved', path: 'new/deep/x.md', pluginId: 'test.all' },
        ]);
      });

      it('checks edit_files for an existing file and create_files for a new one', async () => {
        const call = await open();
        expect(call('host_write_file', { path: 'README.md', content: 'x' }, 'test.creator')).toBe(
          `host_write_file: ${notConfigured('test.creator', 'edit_files', 'README.md')}`,
        );
        expect(call('host_write_file', { path: 'fresh.md', content: 'x' }, 'test.editor')).toBe(
          `host_write_file: ${notConfigured('test.editor', 'create_files', 'fresh.md')}`,
        );
        expect(call('host_write_file', { path: 'notes/a.md', content: 'x' }, 'test.notes')).toBe(
          `host_write_file: ${notConfigured('test.notes', 'edit_files', 'notes/a.md')}`,
        );
        expect(call('host_write_file', { path: 'fresh.md', content: 'x' }, 'test.creator')).toBe('');
        expect(call('host_write_file', { path: 'README.md', content: 'edited' }, 'test.editor')).toBe('');
        expect(call('host_read_file', { path: 'README.md' })).toBe('edited');
        expect(call('host_file_exists', { path: 'fresh.md' })).toBe('true');
        expect(events.map((e) => [e.type, e.path, e.pluginId])).toEqual([
          ['file_created', 'fresh.md', 'test.creator'],
          ['file_saved', 'README.md', 'test.editor'],
        ]);
      });

      it('host_write_binary writes decoded bytes; bad base64 answers shape S', async () => {
        const call = await open();
        expect(call('host_write_binary', { path: 'bin/out.bin', content: 'AAEC/w==' })).toBe('');
        expect(call('host_read_binary', { path: 'bin/out.bin' })).toBe('{"data":"AAEC/w=="}');
        expect(call('host_write_binary', { path: 'bin/data.bin', content: '' })).toBe('');
        expect(call('host_file_metadata', { path: 'bin/data.bin' })).toMatch(
          /^\{"exists":true,"size_bytes":0,/,
        );
        expect(call('host_write_binary', { path: 'bin/x.bin', content: 'not base64!' })).toMatch(
          /^host_write_binary: .*base64/,
        );
        expect(call('host_file_exists', { path: 'bin/x.bin' })).toBe('false');
        expect(events.map((e) => e.type)).toEqual(['file_created', 'file_saved']);
      });

      it('refuses to write over a folder or below a file', async () => {
        const call = await open();
        expect(call('host_write_file', { path: 'notes', content: 'x' })).toBe(
          'host_write_file: "notes" is not a file: it is a folder',
        );
        expect(call('host_write_file', { path: 'README.md/x.md', content: 'x' })).toBe(
          'host_write_file: "README.md/x.md": a parent folder is a file',
        );
        expect(call('host_read_file', { path: 'README.md' })).toBe('readme');
        expect(events).toEqual([]);
      });

      it('host_delete_file deletes a file under delete_files and reports file_deleted', async () => {
        const call = await open();
        expect(call('host_delete_file', { path: 'notes/sub/b.md' }, 'test.editor')).toBe(
          `host_delete_file: ${notConfigured('test.editor', 'delete_files', 'notes/sub/b.md')}`,
        );
        expect(call('host_delete_file', { path: 'notes/sub/b.md' })).toBe('');
        expect(call('host_file_exists', { path: 'notes/sub/b.md' })).toBe('false');
        expect(call('host_list_dir', { path: 'notes/sub' })).toBe('[]');
        expect(call('host_delete_file', { path: 'notes/sub/b.md' })).toBe(
          'host_delete_file: "notes/sub/b.md" does not exist',
        );
        expect(call('host_delete_file', { path: 'notes' })).toBe('host_delete_file: "notes" is not a file');
        expect(events).toEqual([{ type: 'file_deleted', path: 'notes/sub/b.md', pluginId: 'test.all' }]);
      });

      it('a throwing event listener does not fail the write', async () => {
        const call = await open();
        listenerBroken = true;
        expect(call('host_write_file', { path: 'ok.md', content: 'fine' })).toBe('');
        expect(call('host_read_file', { path: 'ok.md' })).toBe('fine');
      });
    });

    describe('traversal', () => {
      const escapes: [string, string][] = [
        ['../secret.txt', 'contains a ".." segment'],
        ['notes/../../secret.txt', 'contains a ".." segment'],
        ['..\\secret.txt', 'contains a ".." segment'],
        ['%2e%2e/secret.txt', 'contains a percent-encoded ".." segment'],
        ['%252e%252e/secret.txt', 'contains a percent-encoded ".." segment'],
        ['notes/a.md\u0000.txt', 'contains a NUL byte'],
      ];
      it.each(escapes)('refuses %j in every function, before any I/O', async (path, problem) => {
        const call = await open();
        const message = `invalid path ${JSON.stringify(path)}: ${problem}`;
        expect(call('host_read_file', { path })).toBe(errorOf('host_read_file', message));
        expect(call('host_read_binary', { path })).toBe(errorOf('host_read_binary', message));
        expect(call('host_list_files', { prefix: path })).toBe(errorOf('host_list_files', message));
        expect(call('host_list_dir', { path })).toBe(errorOf('host_list_dir', message));
        expect(call('host_file_exists', { path })).toBe('false');
        expect(call('host_file_metadata', { path })).toBe(
          '{"exists":false,"size_bytes":null,"modified_at_ms":null}',
        );
        expect(call('host_hash_file', { path })).toBe('');
        expect(call('host_write_file', { path, content: 'x' })).toBe(`host_write_file: ${message}`);
        expect(call('host_write_binary', { path, content: 'eA==' })).toBe(`host_write_binary: ${message}`);
        expect(call('host_delete_file', { path })).toBe(`host_delete_file: ${message}`);
        expect(events).toEqual([]);
        expect(audit.decisions).toEqual([]);
      });

      it.each(['/etc/passwd', 'C:\\Windows\\win.ini', '//server/share/x'])(
        'refuses the absolute path %j outside the workspace root',
        async (path) => {
          const call = await open();
          const message = `invalid path ${JSON.stringify(path)}: is an absolute path outside the workspace root`;
          expect(call('host_read_file', { path })).toBe(errorOf('host_read_file', message));
          expect(call('host_write_file', { path, content: 'x' })).toBe(`host_write_file: ${message}`);
        },
      );

      it('accepts an absolute path inside the workspace root as the relative path', async () => {
        const call = await open();
        expect(call('host_read_file', { path: `${root}/notes/a.md` })).toBe('Hello Zoë 🌍\n');
        expect(call('host_write_file', { path: `${root}/notes/c.md`, content: 'c' })).toBe('');
        expect(events).toEqual([{ type: 'file_created', path: 'notes/c.md', pluginId: 'test.all' }]);
      });
    });
  });
}

const callHost = (bundle: HostBundle, name: HostFunctionName, input: unknown, pluginId: string): string =>
  callWireSync(bundle, name, input, pluginId);
