import { checkOptions, defineOptions, functionOption } from '@plinth/protocol';
import { z } from 'zod';
import { listener } from './host-log.js';
import type { NodeHostObserver } from './node-host-types.js';

const observerSchema = defineOptions<NodeHostObserver>()(
  z.strictObject({
    onLog: functionOption().optional(),
    onEvent: functionOption().optional(),
    onCall: functionOption().optional(),
    onChange: functionOption().optional(),
  }),
);

type Kind = keyof NodeHostObserver;
type Value<K extends Kind> = Parameters<NonNullable<NodeHostObserver[K]>>[0];

/** The observers of one host: each hears every value of its kinds, and one that throws harms no other. */
export class HostObservers {
  // Wrapped, so the same observer added twice is two subscriptions, each removed by its own function.
  readonly #observers = new Set<{ observer: NodeHostObserver }>();

  add(observer: NodeHostObserver): () => void {
    checkOptions('observe', observerSchema, observer);
    const subscription = { observer: { ...observer } };
    this.#observers.add(subscription);
    return () => void this.#observers.delete(subscription);
  }

  /** Whether any observer takes call records (the registry makes them only then). */
  hears(kind: Kind): boolean {
    for (const { observer } of this.#observers) if (observer[kind] !== undefined) return true;
    return false;
  }

  /** One listener: an option's callback (which may be absent) first, then this kind's observers. */
  after<K extends Kind>(kind: K, first: ((value: Value<K>) => void) | undefined): (value: Value<K>) => void {
    const option = listener(first);
    return (value) => {
      option(value);
      this.emit(kind, value);
    };
  }

  emit<K extends Kind>(kind: K, value: Value<K>): void {
    for (const { observer } of [...this.#observers]) {
      try {
        (observer[kind] as ((value: Value<K>) => void) | undefined)?.(value);
      } catch {
        // An observer's bug is its own: the host and the other observers go on.
      }
    }
  }
}
