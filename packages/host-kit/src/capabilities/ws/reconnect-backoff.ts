/** The first reconnect waits this long; each further attempt waits 1.5 times longer, up to the cap. */
export const RECONNECT_BASE_MS = 1_000;
/** How much longer each reconnect attempt waits than the one before. */
export const RECONNECT_FACTOR = 1.5;
/** The longest wait between reconnect attempts, in milliseconds. */
export const RECONNECT_MAX_MS = 30_000;

/** Delay before reconnect attempt `attempt` (0 for the first after a drop): 1 s × 1.5ⁿ, capped at 30 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, Math.round(RECONNECT_BASE_MS * RECONNECT_FACTOR ** Math.max(0, attempt)));
}

/** When reconnects are scheduled; injectable so tests trigger them without waiting. */
export interface ReconnectTimers {
  /** Schedules `callback` after `delayMs` milliseconds; answers a handle for `clear`. */
  set(callback: () => void, delayMs: number): unknown;
  /** Cancels a callback scheduled by `set`. */
  clear(handle: unknown): void;
}

/** The real timers (`setTimeout`; on Node unref'd, so a pending reconnect never keeps the process alive). */
export const systemTimers: ReconnectTimers = {
  set(callback, delayMs) {
    const handle: unknown = setTimeout(callback, delayMs);
    // A pending reconnect must not keep the host process alive on its own (Node's handles have unref;
    // a browser's are numbers).
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clear(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
