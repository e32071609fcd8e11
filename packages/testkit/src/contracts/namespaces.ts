import { createHash } from 'node:crypto';
import { createPolicyChecker, type PermissionChecker } from '@plinth/permissions';
import type { HostFunctionName } from '@plinth/protocol';
import { createNamespacesBundle, type HostBundle, type NamespaceStore } from '@plinth/host-kit';
import { describe, expect, it } from 'vitest';
import { withContractSubject } from './storage.js';
import { storeReadFor, wireCallFor } from './subject-timing.js';
import { callWireAny } from './wire.js';

/**
 * What a namespace backend under test provides. Its store may answer at once or with promises;
 * `synchronous: true` says it answers at once, and the suite then fails any answer that arrives as a promise.
 */
export interface NamespacesContractSubject {
  namespaces: NamespaceStore;
  synchronous?: boolean | undefined;
  /** Called (and awaited) after each test. */
  close?(): void | Promise<void>;
}

/** Builds a fresh NamespacesContractSubject for one test. */
export type NamespacesSubjectFactory = () => NamespacesContractSubject | Promise<NamespacesContractSubject>;

const OWNER = 'acme.site';
const STRANGER = 'acme.other';
const NOW = 1_764_000_000_000;

const grantAll = (...pluginIds: string[]): PermissionChecker =>
  createPolicyChecker({
    policy: {
      plugins: Object.fromEntries(
        pluginIds.map((id) => [id, { permissions: { namespaces: { include: ['all'], exclude: [] } } }]),
      ),
    },
  });

const base64 = (value: string | Uint8Array) =>
  Buffer.from(typeof value === 'string' ? new TextEncoder().encode(value) : value).toString('base64');
const sha256 = (value: string | Uint8Array) => createHash('sha256').update(value).digest('hex');
const OK = '{"ok":true}';

/** The contract every `NamespaceStore` must meet, through `createNamespacesBundle` at the wire. */
export function describeNamespacesContract(label: string, makeSubject: NamespacesSubjectFactory): void {
  describe(`namespaces contract: ${label}`, () => {
    const subject = withContractSubject(makeSubject);
    /** A bundle with predictable ids (ns-1, ns-2, …) and clock (NOW, NOW + 1, …). */
    const bundle = (permissions: PermissionChecker = grantAll(OWNER, STRANGER), quota?: number) => {
      let ids = 0;
      let ticks = 0;
      return createNamespacesBundle({
        store: subject().namespaces,
        permissions,
        ownerUserId: 'user-7',
        newId: () => `ns-${(ids += 1)}`,
        clock: () => NOW + ticks++,
        ...(quota === undefined ? {} : { quotaFor: () => quota }),
      });
    };
    const wire = wireCallFor(subject);
    const read = storeReadFor(subject);
    const call = (b: HostBundle, name: HostFunctionName, request: unknown, pluginId = OWNER) =>
      wire(b, name, request, pluginId);
    const put = (
      b: HostBundle,
      key: string,
      body: string | Uint8Array,
      mime = 'text/plain',
      pluginId = OWNER,
    ) =>
      call(
        b,
        'host_namespace_put_object',
        { ns_id: 'ns-1', key, body_base64: base64(body), mime_type: mime },
        pluginId,
      );

    it('creates namespaces with owner, time and metadata, and lists only the caller’s own', async () => {
      const b = bundle();
      expect(await call(b, 'host_namespace_create', { metadata: { title: 'Zoë 🌍', tags: [1, null] } })).toBe(
        JSON.stringify({
          id: 'ns-1',
          owner_user_id: 'user-7',
          created_at: NOW,
          metadata: { title: 'Zoë 🌍', tags: [1, null] },
        }),
      );
      expect(await call(b, 'host_namespace_create', {})).toBe(
        JSON.stringify({ id: 'ns-2', owner_user_id: 'user-7', created_at: NOW + 1 }),
      );
      await call(b, 'host_namespace_create', {}, STRANGER);
      expect(JSON.parse(await call(b, 'host_namespace_list', {}))).toEqual([
        {
          id: 'ns-1',
          owner_user_id: 'user-7',
          created_at: NOW,
          metadata: { title: 'Zoë 🌍', tags: [1, null] },
        },
        { id: 'ns-2', owner_user_id: 'user-7', created_at: NOW + 1 },
      ]);
      expect(JSON.parse(await call(b, 'host_namespace_list', {}, STRANGER))).toEqual([
        { id: 'ns-3', owner_user_id: 'user-7', created_at: NOW + 2 },
      ]);
    });

    it('is gated by the namespaces permission: only an all include grants create and list', async () => {
      const unset = bundle(createPolicyChecker({ policy: { plugins: {} } }));
      expect(await call(unset, 'host_namespace_create', {})).toBe(
        JSON.stringify({
          error:
            "host_namespace_create: Permission not configured for plugin 'acme.site': namespaces on '*'. Add plugins.acme.site.permissions.namespaces to the policy.",
        }),
      );
      const scoped = bundle(
        createPolicyChecker({
          policy: {
            plugins: { [OWNER]: { permissions: { namespaces: { include: ['ns-1'], exclude: [] } } } },
          },
        }),
      );
      expect(JSON.parse(await call(scoped, 'host_namespace_list', {}))).toEqual({
        error:
          "host_namespace_list: Permission not configured for plugin 'acme.site': namespaces on '*'. Add plugins.acme.site.permissions.namespaces to the policy.",
      });
      expect(await read(subject().namespaces.listNamespaces(OWNER))).toEqual([]);
    });

    it('round-trips objects and reports size, time and sha256 in listings', async () => {
      const b = bundle();
      await call(b, 'host_namespace_create', {});
      const binary = Uint8Array.from([0, 255, 1, 254]);
      expect(await put(b, 'index.html', '<h1>Zoë</h1>', 'text/html')).toBe(OK);
      expect(await put(b, 'img/a.bin', binary, 'application/octet-stream')).toBe(OK);
      expect(await call(b, 'host_namespace_get_object', { ns_id: 'ns-1', key: 'img/a.bin' })).toBe(
        JSON.stringify({ data: base64(binary) }),
      );
      expect(JSON.parse(await call(b, 'host_namespace_list_objects', { ns_id: 'ns-1' }))).toEqual([
        {
          key: 'img/a.bin',
          mime_type: 'application/octet-stream',
          size_bytes: 4,
          updated_at: NOW + 2,
          content_hash: sha256(binary),
        },
        {
          key: 'index.html',
          mime_type: 'text/html',
          size_bytes: 13,
          updated_at: NOW + 1,
          content_hash: sha256('<h1>Zoë</h1>'),
        },
      ]);
      expect(await put(b, 'index.html', 'v2', 'text/plain')).toBe(OK);
      expect(
        JSON.parse(await call(b, 'host_namespace_list_objects', { ns_id: 'ns-1', prefix: 'index' })),
      ).toEqual([
        {
          key: 'index.html',
          mime_type: 'text/plain',
          size_bytes: 2,
          updated_at: NOW + 3,
          content_hash: sha256('v2'),
        },
      ]);
    });

    it('lists by prefix with limit and offset, in code point order', async () => {
      const b = bundle();
      await call(b, 'host_namespace_create', {});
      for (const key of ['a/3', 'a/1', 'b/1', 'a/2', 'a/\u{1F30D}', 'a/\uFFFD', 'ab']) await put(b, key, key);
      const keys = async (request: object) =>
        (
          JSON.parse(await call(b, 'host_namespace_list_objects', { ns_id: 'ns-1', ...request })) as {
            key: string;
          }[]
        ).map((info) => info.key);
      expect(await keys({ prefix: 'a/' })).toEqual(['a/1', 'a/2', 'a/3', 'a/\uFFFD', 'a/\u{1F30D}']);
      expect(await keys({ prefix: 'a/', limit: 2, offset: 1 })).toEqual(['a/2', 'a/3']);
      expect(await keys({ prefix: 'a/', offset: 10 })).toEqual([]);
      expect(await keys({ limit: 3 })).toEqual(['a/1', 'a/2', 'a/3']);
      expect(await keys({ prefix: 'zzz' })).toEqual([]);
      expect(await call(b, 'host_namespace_list_objects', { ns_id: 'ns-1', limit: 0 })).toMatch(
        /^\{"error":"host_namespace_list_objects: Invalid host_namespace_list_objects request: at limit: /,
      );
    });

    it('deletes objects, idempotently', async () => {
      const b = bundle();
      await call(b, 'host_namespace_create', {});
      await put(b, 'k', 'v');
      expect(await call(b, 'host_namespace_delete_object', { ns_id: 'ns-1', key: 'k' })).toBe(OK);
      expect(await call(b, 'host_namespace_get_object', { ns_id: 'ns-1', key: 'k' })).toBe(
        JSON.stringify({ error: "host_namespace_get_object: object 'k' not found in namespace 'ns-1'" }),
      );
      expect(await call(b, 'host_namespace_delete_object', { ns_id: 'ns-1', key: 'k' })).toBe(OK);
      expect(await call(b, 'host_namespace_list_objects', { ns_id: 'ns-1' })).toBe('[]');
    });

    it("hides another plugin's namespace exactly like a missing one", async () => {
      const b = bundle();
      await call(b, 'host_namespace_create', {});
      await put(b, 'k', 'owner data');
      const notFound = (name: string) => JSON.stringify({ error: `${name}: namespace 'ns-1' not found` });
      expect(await put(b, 'k', 'stranger data', 'text/plain', STRANGER)).toBe(
        notFound('host_namespace_put_object'),
      );
      for (const name of ['host_namespace_get_object', 'host_namespace_delete_object'] as const) {
        expect(await call(b, name, { ns_id: 'ns-1', key: 'k' }, STRANGER)).toBe(notFound(name));
      }
      expect(await call(b, 'host_namespace_list_objects', { ns_id: 'ns-1' }, STRANGER)).toBe(
        notFound('host_namespace_list_objects'),
      );
      expect(
        await call(b, 'host_namespace_get_objects_batch', { ns_id: 'ns-1', keys: ['k'] }, STRANGER),
      ).toBe(notFound('host_namespace_get_objects_batch'));
      expect(await call(b, 'host_namespace_get_object', { ns_id: 'nope', key: 'k' })).toBe(
        JSON.stringify({ error: "host_namespace_get_object: namespace 'nope' not found" }),
      );
      expect(await call(b, 'host_namespace_get_object', { ns_id: 'ns-1', key: 'k' })).toBe(
        JSON.stringify({ data: base64('owner data') }),
      );
    });

    it('refuses bad input, over-quota bodies and keys it cannot store exactly', async () => {
      const b = bundle(undefined, 4);
      await call(b, 'host_namespace_create', {});
      const request = { ns_id: 'ns-1', key: 'k', mime_type: 'text/plain' };
      expect(await call(b, 'host_namespace_put_object', { ...request, body_base64: '%%%' })).toBe(
        JSON.stringify({
          error:
            'host_namespace_put_object: Invalid host_namespace_put_object request: at body_base64: must be standard base64',
        }),
      );
      expect(await put(b, 'k', '12345')).toBe(
        JSON.stringify({
          error:
            "host_namespace_put_object: value of 5 bytes exceeds the storage quota of 4 bytes for plugin 'acme.site'",
        }),
      );
      expect(await put(b, 'a\ud800', 'x')).toBe(
        JSON.stringify({
          error: 'host_namespace_put_object: key must be valid Unicode (it contains a lone surrogate)',
        }),
      );
      // The permission check comes first and already refuses a NUL (shown escaped in the message).
      expect(await put(b, 'a\0b', 'x')).toBe(
        JSON.stringify({
          error:
            "host_namespace_put_object: Permission denied for plugin 'acme.site': namespaces on 'ns-1/a\\u0000b'",
        }),
      );
      expect(await call(b, 'host_namespace_get_object', { ns_id: 'ns-1', key: '' })).toBe(
        JSON.stringify({
          error:
            'host_namespace_get_object: Invalid host_namespace_get_object request: at key: key must be a non-empty string',
        }),
      );
      expect(await call(b, 'host_namespace_list_objects', { ns_id: 'ns-1' })).toBe('[]');
    });

    it('reads batches with text or base64 encoding, per-key errors and per-key permission checks', async () => {
      const policy = {
        plugins: {
          [OWNER]: { permissions: { namespaces: { include: ['all'], exclude: ['ns-1/private'] } } },
        },
      };
      const b = bundle(createPolicyChecker({ policy }));
      await call(b, 'host_namespace_create', {});
      await put(b, 'note.md', 'Zoë 🌍', 'text/markdown');
      await put(b, 'data.json', '{"a":1}', 'application/json');
      await put(b, 'raw.bin', Uint8Array.from([0xc3, 0x28]), 'application/octet-stream');
      await put(b, 'bad.txt', Uint8Array.from([0xc3, 0x28]), 'text/plain');
      await put(b, '__proto__', 'proto', 'text/plain');
      await put(b, 'private/x', 'hidden', 'text/plain');
      const keys = [
        'note.md',
        'data.json',
        'raw.bin',
        'bad.txt',
        '__proto__',
        'missing',
        'private/x',
        'note.md',
      ];
      expect(JSON.parse(await call(b, 'host_namespace_get_objects_batch', { ns_id: 'ns-1', keys }))).toEqual({
        objects: {
          'note.md': { data: 'Zoë 🌍', mime_type: 'text/markdown', encoding: 'text' },
          'data.json': { data: '{"a":1}', mime_type: 'application/json', encoding: 'text' },
          'raw.bin': { data: 'wyg=', mime_type: 'application/octet-stream', encoding: 'base64' },
          'bad.txt': { data: 'wyg=', mime_type: 'text/plain', encoding: 'base64' },
          ['__proto__']: { data: 'proto', mime_type: 'text/plain', encoding: 'text' },
        },
        errors: {
          missing: "object 'missing' not found in namespace 'ns-1'",
          'private/x': "Permission denied for plugin 'acme.site': namespaces on 'ns-1/private/x'",
        },
      });
      expect(await call(b, 'host_namespace_get_objects_batch', { ns_id: 'ns-1', keys: [] })).toBe(
        '{"objects":{}}',
      );
      expect(
        JSON.parse(
          await call(b, 'host_namespace_get_objects_batches_concurrent', {
            ns_id: 'ns-1',
            batches: [['note.md'], ['data.json']],
          }),
        ),
      ).toEqual({
        objects: {
          'note.md': { data: 'Zoë 🌍', mime_type: 'text/markdown', encoding: 'text' },
          'data.json': { data: '{"a":1}', mime_type: 'application/json', encoding: 'text' },
        },
      });
    });

    it('answers promises only when ask is set', async () => {
      const b = createNamespacesBundle({
        store: subject().namespaces,
        permissions: grantAll(OWNER),
        ask: true,
      });
      const created = callWireAny(b, 'host_namespace_create', '{}', OWNER);
      expect(created).toBeInstanceOf(Promise);
      const { id } = JSON.parse(await created) as { id: string };
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const batch = callWireAny(
        b,
        'host_namespace_get_objects_batch',
        JSON.stringify({ ns_id: id, keys: ['x'] }),
        OWNER,
      );
      expect(batch).toBeInstanceOf(Promise);
      expect(JSON.parse(await batch)).toEqual({
        objects: {},
        errors: { x: `object 'x' not found in namespace '${id}'` },
      });
    });
  });
}
