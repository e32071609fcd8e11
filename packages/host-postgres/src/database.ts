/**
 * What the stores need of a database: `query(text, params)` answering `{ rows }`. `pg`'s `Pool` and
 * `Client` and PGlite (`@electric-sql/pglite`) all have it. A pool (anything with `connect()`) is asked
 * for one connection when a sequence must run on one connection (the migrations' transaction).
 */
export interface Queryable {
  /** Runs one SQL statement with `$1`-style parameters; answers its rows. */
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A connection pool, as `pg`'s Pool is: a Queryable that can also lend out one connection. */
export interface PoolLike extends Queryable {
  /** Borrows one connection; give it back with `release`. */
  connect(): Promise<
    Queryable & {
      /** Returns the connection to the pool; an error (or true) makes the pool discard it instead. */
      release(error?: Error | boolean): void;
    }
  >;
}

export interface DatabaseOptions {
  /** A query that has not answered after this long rejects, so no host call hangs on the database. */
  queryTimeoutMs: number;
  /** Retries of a query that failed because the connection was lost (every store query is idempotent). */
  retries: number;
}

export const DEFAULT_DATABASE_OPTIONS: Readonly<DatabaseOptions> = Object.freeze({
  queryTimeoutMs: 10_000,
  retries: 1,
});

// Node socket errors and the SQLSTATE classes that mean the connection, not the query, failed.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
]);
const CONNECTION_MESSAGE = /connection terminated|terminating connection|Connection ended|not queryable/i;

function isConnectionFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return typeof message === 'string' && CONNECTION_MESSAGE.test(message);
}

/**
 * A store operation the database could not carry out (down, lost, too slow, or refusing the statement).
 * The host-function bundles turn it into the function's failure shape for the guest (and report it to the
 * host's `onHandlerError`); it never reaches the guest as a trap.
 */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  readonly operation: string;
  constructor(operation: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.operation = operation;
  }
}

/**
 * Runs one statement with the timeout and the retries: a lost connection is tried again (a pool
 * reconnects), anything still failing rejects with a `DatabaseError` naming the store operation.
 */
export async function run<Row>(
  database: Queryable,
  options: DatabaseOptions,
  operation: string,
  text: string,
  params: unknown[] = [],
): Promise<Row[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await withTimeout(database.query(text, params), options.queryTimeoutMs, operation);
      return result.rows as Row[];
    } catch (error) {
      if (attempt < options.retries && isConnectionFailure(error)) {
        await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
        continue;
      }
      if (error instanceof DatabaseError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new DatabaseError(operation, `PostgreSQL ${operation} failed: ${reason}`, error);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DatabaseError(operation, `PostgreSQL ${operation} did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** A bytea as the driver gave it (a Buffer from `pg`, a Uint8Array from PGlite), as a plain Uint8Array. */
export function bytesOf(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`expected a bytea value, got ${typeof value}`);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
}
