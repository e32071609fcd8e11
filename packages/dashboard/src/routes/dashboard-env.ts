import type { Session } from '../security/access.js';

/** What the dashboard's middleware hands its routes: the signed-in session. */
export interface DashboardEnv {
  Variables: { session: Session };
}
