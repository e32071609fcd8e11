import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NodeHostInspection } from '@plinth/host-node';

/** What the next page shows once: the outcome of the last change. */
export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

/** A module uploaded and inspected, waiting for the user to accept (or not) what it asks for. */
export interface PendingUpload {
  id: string;
  bytes: Uint8Array;
  signature: Uint8Array | undefined;
  inspection: NodeHostInspection;
}

/** One signed-in browser: its cookie names it, and its forms carry its CSRF token. */
export interface Session {
  id: string;
  csrf: string;
  notice: Notice | undefined;
  uploads: Map<string, PendingUpload>;
}

const SESSIONS_KEPT = 16;
const UPLOADS_KEPT = 4;

export const randomToken = (): string => randomBytes(32).toString('base64url');

/** Compares two secrets in time that does not depend on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Who may use one dashboard: whoever presents its access token (printed to the terminal) gets a session,
 * kept in an HttpOnly cookie. Sessions and uploads are bounded: the oldest go first.
 */
export class DashboardAccess {
  readonly token = randomToken();
  /**
   * Cookies are not kept apart by port, so each dashboard names its own: two on one machine do not sign
   * each other out.
   */
  readonly cookieName = `plinth_dashboard_${randomBytes(4).toString('hex')}`;
  readonly #sessions = new Map<string, Session>();

  /** A new session when `candidate` is the access token, else undefined. */
  signIn(candidate: string): Session | undefined {
    if (!sameSecret(candidate, this.token)) return undefined;
    const session: Session = {
      id: randomToken(),
      csrf: randomToken(),
      notice: undefined,
      uploads: new Map(),
    };
    this.#sessions.set(session.id, session);
    dropOldest(this.#sessions, SESSIONS_KEPT);
    return session;
  }

  session(id: string | undefined): Session | undefined {
    return id === undefined ? undefined : this.#sessions.get(id);
  }

  close(): void {
    this.#sessions.clear();
  }
}

export function keepUpload(session: Session, upload: PendingUpload): void {
  session.uploads.set(upload.id, upload);
  dropOldest(session.uploads, UPLOADS_KEPT);
}

function dropOldest<V>(map: Map<string, V>, kept: number): void {
  for (const key of map.keys()) {
    if (map.size <= kept) return;
    map.delete(key);
  }
}
