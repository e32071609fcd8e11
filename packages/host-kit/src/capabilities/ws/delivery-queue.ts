/** Calls a guest export with a frame or lifecycle input; supplied by the app (usually the plugin handle). */
export type DeliverToGuest = (
  pluginId: string,
  exportName: string,
  input: string | Uint8Array,
) => Promise<void>;

/**
 * Serializes deliveries to guests: one at a time per plugin, in order; plugins do not wait for each other.
 */
export interface DeliveryQueue {
  /** Queues a delivery behind every earlier one for the same plugin. */
  enqueue(pluginId: string, exportName: string, input: string | Uint8Array): void;
  /** Resolves once every delivery queued so far for the plugin has finished. */
  idle(pluginId: string): Promise<void>;
  /** Deliveries queued for the plugin and not yet finished. */
  pending(pluginId: string): number;
}

/**
 * Serializes deliveries per plugin: a guest instance is not reentrant, and frames must reach it in the
 * order they arrived. A failed delivery is reported and does not stop the ones behind it.
 */
export function createDeliveryQueue(
  deliver: DeliverToGuest,
  onError: (error: unknown, pluginId: string, exportName: string) => void,
): DeliveryQueue {
  const tails = new Map<string, Promise<void>>();
  const counts = new Map<string, number>();
  return {
    enqueue(pluginId, exportName, input) {
      const previous = tails.get(pluginId) ?? Promise.resolve();
      counts.set(pluginId, (counts.get(pluginId) ?? 0) + 1);
      const next = previous
        .then(() => deliver(pluginId, exportName, input))
        .catch((error: unknown) => onError(error, pluginId, exportName))
        .finally(() => {
          const left = (counts.get(pluginId) ?? 1) - 1;
          if (left === 0) counts.delete(pluginId);
          else counts.set(pluginId, left);
        });
      tails.set(pluginId, next);
      void next.then(() => {
        if (tails.get(pluginId) === next) tails.delete(pluginId);
      });
    },
    idle: (pluginId) => tails.get(pluginId) ?? Promise.resolve(),
    pending: (pluginId) => counts.get(pluginId) ?? 0,
  };
}
