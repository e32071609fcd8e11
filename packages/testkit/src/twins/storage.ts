import type { SyncKeyValueStore, SyncSecretStore } from '@plinth/host-kit';

/** One stored entry, as a snapshot shows it. */
export interface StoredEntry<V> {
  pluginId: string;
  key: string;
  value: V;
}

export interface MemoryKeyValueStore extends SyncKeyValueStore {
  /** Every value, ordered by plugin id then key; copies, so a test cannot change the store through them. */
  snapshot(): StoredEntry<Uint8Array>[];
  /** Forgets every value of every plugin. */
  clear(): void;
}

export interface MemorySecretStore extends SyncSecretStore {
  /** Every secret, ordered by plugin id then key. */
  snapshot(): StoredEntry<string>[];
  /** Forgets every secret of every plugin. */
  clear(): void;
}

/** Nested maps keep `(pluginId, key)` apart exactly, like two columns: no joined string to collide. */
class ScopedMap<V> {
  private readonly plugins = new Map<string, Map<string, V>>();

  get(pluginId: string, key: string): V | undefined {
    return this.plugins.get(pluginId)?.get(key);
  }

  set(pluginId: string, key: string, value: V): void {
    let entries = this.plugins.get(pluginId);
    if (entries === undefined) {
      entries = new Map();
      this.plugins.set(pluginId, entries);
    }
    entries.set(key, value);
  }

  delete(pluginId: string, key: string): boolean {
    const entries = this.plugins.get(pluginId);
    const deleted = entries?.delete(key) ?? false;
    if (entries?.size === 0) this.plugins.delete(pluginId);
    return deleted;
  }

  entries(copy: (value: V) => V): StoredEntry<V>[] {
    const all: StoredEntry<V>[] = [];
    for (const [pluginId, entries] of this.plugins) {
      for (const [key, value] of entries) all.push({ pluginId, key, value: copy(value) });
    }
    return all.sort((a, b) => compareCodePoints(a.pluginId, b.pluginId) || compareCodePoints(a.key, b.key));
  }

  clear(): void {
    this.plugins.clear();
  }
}

/** Orders strings as SQLite's BINARY collation does (UTF-8 bytes = code points), not by UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The in-memory `KeyValueStore`: the twin of `@plinth/host-node/storage`'s SQLite table. */
export function createMemoryKeyValueStore(): MemoryKeyValueStore {
  const map = new ScopedMap<Uint8Array>();
  return {
    get: (pluginId, key) => {
      const value = map.get(pluginId, key);
      return value === undefined ? undefined : value.slice();
    },
    set: (pluginId, key, value) => map.set(pluginId, key, value.slice()),
    delete: (pluginId, key) => map.delete(pluginId, key),
    snapshot: () => map.entries((value) => value.slice()),
    clear: () => map.clear(),
  };
}

/** The in-memory `SecretStore`, kept apart from any `KeyValueStore`. */
export function createMemorySecretStore(): MemorySecretStore {
  const map = new ScopedMap<string>();
  return {
    get: (pluginId, key) => map.get(pluginId, key),
    set: (pluginId, key, value) => map.set(pluginId, key, value),
    delete: (pluginId, key) => map.delete(pluginId, key),
    snapshot: () => map.entries((value) => value),
    clear: () => map.clear(),
  };
}
