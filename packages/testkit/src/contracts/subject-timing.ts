import type { HostFunctionName } from '@plinth/protocol';
import type { HostBundle, MaybePromise } from '@plinth/host-kit';
import { callWireAny, callWireSync, type WireCaller } from './wire.js';

/** Whether a store subject promises to answer at once; the store suites check that promise. */
export interface SubjectTiming {
  synchronous?: boolean | undefined;
}

/**
 * The wire call a suite makes for its subject, awaited. For a synchronous subject it goes through
 * `callWireSync`, so any answer that arrives as a promise fails the test.
 */
export const wireCallFor =
  (subject: () => SubjectTiming) =>
  async (bundle: HostBundle, name: HostFunctionName, request: unknown, caller: WireCaller): Promise<string> =>
    subject().synchronous === true
      ? callWireSync(bundle, name, request, caller)
      : callWireAny(bundle, name, request, caller);

/** A direct store read, awaited; a synchronous subject's store must not answer a promise. */
export const storeReadFor =
  (subject: () => SubjectTiming) =>
  async <T>(value: MaybePromise<T>): Promise<T> => {
    if (subject().synchronous === true && value instanceof Promise) {
      throw new Error('the store answered a promise, but the contract subject is marked synchronous');
    }
    return value;
  };
