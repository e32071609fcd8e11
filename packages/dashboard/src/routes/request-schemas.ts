import { PERMISSION_TYPES } from '@plinth/protocol';
import { z } from 'zod';
import { LEVELS } from '../observe/activity-feed.js';
import { PAGES } from '../pages/layout.js';

// What the dashboard's forms and queries send, checked before anything reaches the host.

const plugin = z.string().min(1, { error: 'is required (a plugin id)' });
const permission = z.enum(PERMISSION_TYPES, { error: `must be one of ${PERMISSION_TYPES.join(', ')}` });
const scope = z.string().trim().min(1, { error: 'is required (a path, host name, plugin:command or all)' });
/** Where to go afterwards: one of the dashboard's own pages, never an address from outside. */
const back = z
  .enum(PAGES.map((page) => page.path) as [string, ...string[]], { error: 'must be a dashboard page' })
  .default('/plugins');
const confirmed = z.literal('yes', {
  error: 'must be "yes": this change asks first (its confirmation page sends it)',
});

export const confirmationSchema = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.enum(['grant', 'revoke']), plugin, permission, scope, back }),
    z.object({ action: z.enum(['uninstall', 'quarantine']), plugin, back }),
  ],
  { error: 'must be grant, revoke, uninstall or quarantine' },
);

export const actionSchemas = {
  reload: z.object({ plugin, back }),
  release: z.object({ plugin, back }),
  quarantine: z.object({
    plugin,
    back,
    confirmed,
    reason: z.string().trim().max(500, { error: 'must be at most 500 characters' }).optional(),
  }),
  uninstall: z.object({ plugin, back, confirmed }),
  grant: z.object({ plugin, back, confirmed, permission, scope }),
  revoke: z.object({ plugin, back, confirmed, permission, scope: scope.optional() }),
} as const;

export type ActionName = keyof typeof actionSchemas;

export const feedQuerySchema = z.object({
  // An empty select value means every plugin.
  plugin: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  level: z.enum(LEVELS, { error: `must be one of ${LEVELS.join(', ')}` }).optional(),
  after: z.coerce.number().int({ error: 'must be a whole number' }).min(0).optional(),
});

export const acceptSchema = z.object({
  upload: z.string().min(1, { error: 'is required' }),
  grant: z.enum(['requested', 'none'], { error: 'must be "requested" or "none"' }),
});
