import type { PermissionRequest } from '@plinth/permissions';

// How the CLI and the browser page put a plugin's permissions into words (both import no Node module).

/** What a plugin may do, in one line: `describePermissions` phrases, or that it needs none. */
export function mayWords(summary: readonly string[]): string {
  return summary.length > 0 ? summary.join(', ') : 'nothing that needs a permission';
}

/** One line per permission a plugin asks for: what it allows, and the plugin's reason. */
export function askLines(request: PermissionRequest): string[] {
  return request.asks.map(({ description, reason }) => (reason ? `${description} — ${reason}` : description));
}
