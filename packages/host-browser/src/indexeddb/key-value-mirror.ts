import type { SyncKeyValueStore, SyncSecretStore } from '@plinth/host-kit';
import type { WriteBehind } from '../write-behind.js';
import { OBJECT_STORES, type IdbWriter } from './idb-database.js';

/** Nested maps keep `(pluginId, key)` apart exactly, as the array keys on disk do: no joined string. */
export class ScopedMap<V> {
  readonly #plugins = new Map<string, Map<string, V>>();

  get(pluginId: string, key: string): V | undefined {
    return this.#plugins.get(pluginId)?.get(key);
  }

  set(pluginId: string, key: string, value: V): void {
    let entries = this.#plugins.get(pluginId);
    if (entries === undefined) {
      entries = new Map();
      this.#plugins.set(pluginId, entries);
    }
    entries.set(key, value);
  }

  delete(pluginId: string, key: string): boolean {
    const entries = this.#plugins.get(pluginId);
    const deleted = entries?.delete(key) ?? false;
    if (entries?.size === 0) this.#plugins.delete(pluginId);
    return deleted;
  }
}

/** What the mirrors of one database share: where changes go, and whether they may still be made. */
export interface MirrorContext {
  writer: IdbWriter;
  queue: WriteBehind;
}

const describe = (kind: string, pluginId: string, key: string) =>
  `the ${kind} ${JSON.stringify(key)} of plugin ${pluginId}`;

/** The plugin storage mirror: answers from memory, every change written through to `storage`. */
export function keyValueMirror(
  values: ScopedMap<Uint8Array>,
  { writer, queue }: MirrorContext,
): SyncKeyValueStore {
  return {
    get(pluginId, key) {
      queue.assertOpen('read plugin storage');
      return values.get(pluginId, key)?.slice();
    },
    set(pluginId, key, value) {
      queue.assertWritable('write plugin storage');
      const copy = value.slice();
      values.set(pluginId, key, copy);
      writer.put(OBJECT_STORES.storage, [pluginId, key], copy, describe('storage key', pluginId, key));
    },
    delete(pluginId, key) {
      queue.assertWritable('delete from plugin storage');
      const deleted = values.delete(pluginId, key);
      if (deleted)
        writer.delete(
          OBJECT_STORES.storage,
          [pluginId, key],
          describe('deletion of storage key', pluginId, key),
        );
      return deleted;
    },
  };
}

/** The secrets mirror, kept in its own object store so storage can never reach it. */
export function secretMirror(values: ScopedMap<string>, { writer, queue }: MirrorContext): SyncSecretStore {
  return {
    get(pluginId, key) {
      queue.assertOpen('read a secret');
      return values.get(pluginId, key);
    },
    set(pluginId, key, value) {
      queue.assertWritable('write a secret');
      values.set(pluginId, key, value);
      writer.put(OBJECT_STORES.secrets, [pluginId, key], value, describe('secret', pluginId, key));
    },
    delete(pluginId, key) {
      queue.assertWritable('delete a secret');
      const deleted = values.delete(pluginId, key);
      if (deleted)
        writer.delete(OBJECT_STORES.secrets, [pluginId, key], describe('deletion of secret', pluginId, key));
      return deleted;
    },
  };
}
