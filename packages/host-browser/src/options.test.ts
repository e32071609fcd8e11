import { createAllowAllChecker } from '@plinth/permissions';
import { OptionsError } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { createBrowserHost, createFetchTransport, openDirectoryFiles, openIndexedDbStores } from './index.js';

/** The OptionsError a call threw (or rejected with). */
async function refusal(run: () => unknown): Promise<OptionsError> {
  try {
    await run();
  } catch (error) {
    if (OptionsError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('the call was not refused');
}

describe('options are checked before anything is opened', () => {
  it('openIndexedDbStores needs a database name and an IDBFactory', async () => {
    const error = await refusal(() => openIndexedDbStores({ name: '', indexedDB: {} as IDBFactory }));
    expect(error.code).toBe('invalid_options');
    expect(error.message).toBe(
      'openIndexedDbStores: option `name` must be a non-empty database name (got ""); option `indexedDB` must be an IDBFactory (with open) (got {})',
    );
  });

  it('openDirectoryFiles needs a directory handle and a positive maxBytes', async () => {
    const error = await refusal(() =>
      openDirectoryFiles({ directory: 'notes' as unknown as FileSystemDirectoryHandle, maxBytes: 0 }),
    );
    expect(error.message).toMatch(
      /^openDirectoryFiles: option `directory` must be a FileSystemDirectoryHandle \(with entries, getDirectoryHandle, getFileHandle, removeEntry\) \(got "notes"\); option `maxBytes` .*positive whole number/,
    );
  });

  it('createFetchTransport refuses an unknown option', async () => {
    const error = await refusal(() => createFetchTransport({ fetchImpl: fetch } as never));
    expect(error.message).toMatch(/^createFetchTransport: option `fetchImpl` is unknown/);
  });

  it('createBrowserHost needs the three stores', async () => {
    const error = await refusal(() =>
      createBrowserHost({ permissions: createAllowAllChecker(), stores: { storage: 'plinth' } as never }),
    );
    expect(error.message).toBe(
      'createBrowserHost: option `stores.storage` must be a KeyValueStore (get, set, delete) (got "plinth"); option `stores.secrets` is required (a SecretStore (get, set, delete)); option `stores.namespaces` is required (a NamespaceStore)',
    );
  });
});
