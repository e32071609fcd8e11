import { createAllowAllChecker } from '@plinth/permissions';
import {
  createNamespacesBundle,
  createSecretsBundle,
  createStorageBundle,
  type KeyValueStore,
  type NamespaceStore,
  type SecretStore,
} from '@plinth/host-kit';
import {
  callWireAny,
  describeNamespacesContract,
  describeSecretsContract,
  describeStorageContract,
} from '@plinth/testkit/contracts';
import {
  createMemoryKeyValueStore,
  createMemoryNamespaceStore,
  createMemorySecretStore,
} from '@plinth/testkit/twins';
import { describe, expect, it } from 'vitest';

/** Settles on a later turn of the event loop, as a database driver's answer would. */
const laterTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

type AnsweringLater<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** The twin with every method doing its work on a later turn and answering a promise. */
function answeringLater<T extends object>(store: T): AnsweringLater<T> {
  const methods = Object.entries(store).map(([name, method]) => {
    const run = method as (...args: unknown[]) => unknown;
    return [
      name,
      async (...args: unknown[]) => {
        await laterTurn();
        return run(...args);
      },
    ];
  });
  return Object.fromEntries(methods) as AnsweringLater<T>;
}

const asyncStorage = () => ({
  storage: answeringLater<KeyValueStore>(createMemoryKeyValueStore()),
  secrets: answeringLater<SecretStore>(createMemorySecretStore()),
  // A database backend closes asynchronously; the suites await it.
  close: laterTurn,
});
const asyncNamespaces = () => ({
  namespaces: answeringLater<NamespaceStore>(createMemoryNamespaceStore()),
  close: laterTurn,
});

describeStorageContract('in-memory twin answering promises', asyncStorage);
describeSecretsContract('in-memory twin answering promises', asyncStorage);
describeNamespacesContract('in-memory twin answering promises', asyncNamespaces);

describe('the promise-answering twins', () => {
  const permissions = createAllowAllChecker();

  it('make every bundle answer a promise without ask, so the suites above run the asynchronous path', async () => {
    const { storage, secrets } = asyncStorage();
    const kv = createStorageBundle({ permissions, store: storage });
    const stored = callWireAny(kv, 'host_storage_set', { key: 'k', data: 'dg==' }, 'acme.notes');
    expect(stored).toBeInstanceOf(Promise);
    expect(await stored).toBe('');

    const secretBundle = createSecretsBundle({ permissions, secrets });
    const secret = callWireAny(secretBundle, 'host_secret_get', { key: 'k' }, 'acme.notes');
    expect(secret).toBeInstanceOf(Promise);
    expect(await secret).toBe('');

    const ns = createNamespacesBundle({ permissions, store: asyncNamespaces().namespaces });
    const created = callWireAny(ns, 'host_namespace_create', {}, 'acme.site');
    expect(created).toBeInstanceOf(Promise);
    expect(JSON.parse(await created)).toMatchObject({ owner_user_id: 'local' });
  });
});
