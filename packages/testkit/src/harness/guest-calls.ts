import { PlinthError } from '@plinth/protocol';
import type { CallReceipt, HostCallContext } from '@plinth/host-kit';
import type { Lane, LaneFactory, LaneOutputDecoder } from '@plinth/runtime';
import type { HarnessCall } from './transcript.js';

/** What a guest call is before it runs: the export, and the command or event it carries. */
export type GuestCallTarget = Pick<HarnessCall, 'exportName' | 'command' | 'event'>;

export interface GuestCallRecorder {
  readonly calls: readonly HarnessCall[];
  /** A lane factory whose lanes hand the receipt of the call `record` is starting to the runtime. */
  wrapLane(factory: LaneFactory): LaneFactory;
  /**
   * Starts a call and records how it ended, with the fuel its receipt reports. `start` gets the receipt to
   * pass itself where an API takes one; otherwise the wrapped lane attaches it, which works because
   * ProtocolPlugin's methods call the lane before they first wait. `failureOf` reads a failure out of a
   * resolved value (`event` resolves to the guest's error).
   */
  record<T>(
    target: GuestCallTarget,
    start: (receipt: CallReceipt) => Promise<T>,
    failureOf?: (value: T) => unknown,
  ): Promise<T>;
}

/** Records the guest calls a harness makes for its user, each with the fuel it used. */
export function createGuestCallRecorder(): GuestCallRecorder {
  const calls: HarnessCall[] = [];
  let pending: CallReceipt | undefined;
  const withReceipt = (context: HostCallContext): HostCallContext => {
    const receipt = pending;
    pending = undefined;
    return receipt === undefined || context.receipt !== undefined ? context : { ...context, receipt };
  };
  const wrap = (lane: Lane): Lane => {
    const decoded = lane.callDecoded?.bind(lane);
    return {
      kind: lane.kind,
      call: (exportName, input, context) => lane.call(exportName, input, withReceipt(context)),
      ...(decoded
        ? {
            callDecoded: <T>(
              exportName: string,
              input: Uint8Array | string,
              context: HostCallContext,
              decode: LaneOutputDecoder<T>,
            ) => decoded(exportName, input, withReceipt(context), decode),
          }
        : {}),
      hasExport: (name) => lane.hasExport(name),
      close: () => lane.close(),
    };
  };
  return {
    calls,
    wrapLane: (factory) => async (options) => wrap(await factory(options)),
    async record(target, start, failureOf) {
      const receipt: CallReceipt = {};
      pending = receipt;
      let running;
      try {
        running = start(receipt);
      } catch (error) {
        running = Promise.reject(error as Error);
      } finally {
        pending = undefined;
      }
      const push = (failure: unknown): void => {
        const code = PlinthError.isInstance(failure) ? failure.code : undefined;
        calls.push({
          ...target,
          outcome: failure === undefined || failure === null ? 'ok' : 'error',
          ...(code === undefined ? {} : { code }),
          ...(receipt.fuelUsed === undefined ? {} : { fuelUsed: receipt.fuelUsed }),
        });
      };
      try {
        const value = await running;
        push(failureOf?.(value));
        return value;
      } catch (error) {
        push(error ?? new Error('rejected without a reason'));
        throw error;
      }
    },
  };
}
