// The value every host-function wrapper returns: `ok` with a `value`, or not `ok` with an `error` message.

export class Result<T> {
  constructor(
    /** Whether the call succeeded. */
    public ok: bool,
    private payload: T,
    /** The failure message ("" on success), e.g. `host_read_file: permission denied …`. */
    public error: string,
  ) {}

  /** The success value. Reading it on a failure aborts (check `ok` first, or use `valueOr`). */
  get value(): T {
    if (!this.ok) abort("Result.value read on a failure: " + this.error, "~lib/@plinth/guest-as/assembly/result.ts", 0, 0);
    return this.payload;
  }

  /** The success value, or `fallback` on a failure. */
  valueOr(fallback: T): T {
    return this.ok ? this.payload : fallback;
  }

  /** This failure as a Result of another type (for passing an error up). */
  forward<U>(): Result<U> {
    return failure<U>(this.error);
  }
}

/** A successful Result. */
export function success<T>(value: T): Result<T> {
  return new Result<T>(true, value, "");
}

/** A failed Result with a message. */
export function failure<T>(error: string): Result<T> {
  return new Result<T>(false, zero<T>(), error);
}

// @ts-ignore: decorator
@inline
function zero<T>(): T {
  if (isReference<T>()) return changetype<T>(0);
  // @ts-ignore: a numeric or boolean T
  return <T>0;
}
