// @ts-check
/**
 * A throwaway PostgreSQL server: `initdb` in a fresh temp directory, `postgres` on a free 127.0.0.1 port
 * (no Unix socket), a random password, and everything removed on `stop()`. The test/postgres project and
 * the host-postgres bench start theirs with `startPostgresServer()`; by hand,
 * `node scripts/postgres-server.mjs` prints the URL and runs until Ctrl-C.
 *
 * The binaries come from PLINTH_POSTGRES_BIN, Debian's /usr/lib/postgresql/<version>/bin (newest
 * version), or PATH; `bash scripts/bootstrap-postgres.sh` installs them. PostgreSQL refuses to run as
 * root, so as root the server runs as the `postgres` system user the Debian package creates.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const READY = /database system is ready to accept connections/;
const BIND_FAILED = /could not (bind|create listen socket)|Address already in use/i;
const INSTALL_HINT =
  'install it with `bash scripts/bootstrap-postgres.sh` (Debian: apt-get install postgresql)';

/**
 * @typedef {object} PostgresServerOptions
 * @property {boolean} [durable] Keep fsync and synchronous commit on (the server's defaults), as the bench
 *   does. Default false: tests turn them off, since the data is thrown away.
 * @property {number} [startTimeoutMs] How long the server may take to accept connections. Default 30 000.
 */

/**
 * @typedef {object} PostgresServer
 * @property {string} url `postgres://plinth:<password>@127.0.0.1:<port>/postgres`
 * @property {number} port
 * @property {string} dir The temp directory (data directory and password file), removed by `stop()`.
 * @property {string} version What `postgres --version` printed.
 * @property {() => Promise<void>} stop Fast shutdown, then removes `dir`. Idempotent.
 */

/** The directory holding `initdb` and `postgres`; throws naming where it looked when there is none. */
export function findPostgresBin() {
  const given = process.env['PLINTH_POSTGRES_BIN'];
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
        .map((name) => join(debian, name, 'bin'))
    : [];
  const candidates = [
    ...(given ? [given] : []),
    ...versions,
    ...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean),
  ];
  const found = candidates.find(
    (dir) => isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'postgres')),
  );
  if (found) return found;
  throw new Error(
    `PostgreSQL server binaries (initdb, postgres) not found in ${given ? `PLINTH_POSTGRES_BIN (${given}), ` : ''}` +
      `${debian}/<version>/bin or PATH: ${INSTALL_HINT}.`,
  );
}

/** @param {string} path */
function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Who runs the server: this process unless it is root, else the `postgres` system user.
 * @returns {{ uid: number, gid: number } | undefined} undefined when no switch is needed
 */
function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (/** @type {string} */ flag) =>
      Number(
        execFileSync('id', [flag, 'postgres'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim(),
      );
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      'PostgreSQL refuses to run as root and there is no `postgres` user to run it as: ' +
        `${INSTALL_HINT}, or run as an unprivileged user.`,
    );
  }
}

/**
 * The command line for `binary` as the server user; `setpriv --pdeathsig` makes the server shut down
 * (SIGINT, a fast shutdown) if this process dies without stopping it.
 * @param {{ uid: number, gid: number } | undefined} user
 * @param {string} binary
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
function asServerUser(user, binary, args) {
  const ids = user ? [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups'] : [];
  return ['setpriv', [...ids, '--pdeathsig', 'INT', '--', binary, ...args]];
}

/** A port nobody listens on right now (the server may still lose it to a race: then we try again). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts a throwaway server. Rejects with the server's own log when it cannot start.
 * @param {PostgresServerOptions} [options]
 * @returns {Promise<PostgresServer>}
 */
export async function startPostgresServer(options = {}) {
  const bin = findPostgresBin();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'plinth-postgres-'));
  try {
    if (user) chownSync(dir, user.uid, user.gid);
    const password = randomBytes(18).toString('base64url');
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(passwordFile, user.uid, user.gid);
    const data = join(dir, 'data');
    const initdb = asServerUser(user, join(bin, 'initdb'), [
      ...['-D', data, '-U', 'plinth', '--pwfile', passwordFile, '-A', 'scram-sha-256'],
      ...['-E', 'UTF8', '--locale=C', '--no-sync'],
    ]);
    await run(initdb[0], initdb[1], { cwd: dir }).catch((error) => {
      throw new Error(`initdb failed: ${String(error.stderr || error.message).trim()}`, { cause: error });
    });
    const version = (await run(join(bin, 'postgres'), ['--version'])).stdout.trim();
    for (let attempt = 1; ; attempt++) {
      const port = /** @type {number} */ (await freePort());
      try {
        const stop = await launch({ bin, user, dir, data, port, options });
        const url = `postgres://plinth:${password}@127.0.0.1:${port}/postgres`;
        return { url, port, dir, version, stop };
      } catch (error) {
        if (attempt < 3 && error instanceof Error && BIND_FAILED.test(error.message)) continue;
        throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Runs `postgres` in the foreground (this process owns it) until its log says it accepts connections.
 * @param {{ bin: string, user: { uid: number, gid: number } | undefined, dir: string, data: string,
 *   port: number, options: PostgresServerOptions }} settings
 * @returns {Promise<() => Promise<void>>} the stop function
 */
async function launch({ bin, user, dir, data, port, options }) {
  const relaxed = options.durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];
  const [command, args] = asServerUser(user, join(bin, 'postgres'), [
    ...['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', ''],
    ...relaxed.flatMap((setting) => ['-c', setting]),
  ]);
  const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  /** @type {string[]} */
  const log = [];
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`PostgreSQL did not accept connections within ${options.startTimeoutMs ?? 30_000} ms`),
        ),
      options.startTimeoutMs ?? 30_000,
    );
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (/** @type {string} */ chunk) => {
      // Keep reading for the server's whole life (a full pipe would block it); remember the latest lines.
      log.push(...chunk.split('\n').filter(Boolean));
      log.splice(0, Math.max(0, log.length - 40));
      if (READY.test(chunk)) {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited (${String(how)}) before accepting connections`));
    });
  });
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason} on 127.0.0.1:${port}. Its log:\n${log.join('\n')}`, { cause: error });
  }
  const removeOnExit = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', removeOnExit);
  /** @type {Promise<void> | undefined} */
  let stopping;
  return () => {
    stopping ??= (async () => {
      process.off('exit', removeOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
}

// By hand: start one, print how to reach it, stop it on Ctrl-C (or SIGTERM).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const server = await startPostgresServer({ durable: process.argv.includes('--durable') });
  console.log(
    `${server.version}, started in ${Math.round(performance.now() - started)} ms (Ctrl-C stops it)`,
  );
  console.log(`PLINTH_POSTGRES_URL=${server.url}`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
