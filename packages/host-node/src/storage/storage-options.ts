import { defineOptions, objectOption } from '@plinth/protocol';
import { namespacesBundleOptionsSchema } from '@plinth/host-kit';
import { z } from 'zod';
import { pathOption } from '../shared-options.js';
import type { SqliteStorageBundleOptions, SqliteStores } from './index.js';
import type { OpenDatabaseOptions } from './sqlite-database.js';

export const openDatabaseOptionsSchema = defineOptions<OpenDatabaseOptions>()(
  z.strictObject({
    path: pathOption,
    busyTimeoutMs: z.int().min(0).describe('a whole number of milliseconds (0 or more)').optional(),
  }),
);

export const sqliteStorageBundleOptionsSchema = defineOptions<SqliteStorageBundleOptions>()(
  namespacesBundleOptionsSchema.omit({ store: true }).extend({
    stores: z
      .union([
        objectOption<SqliteStores>('SqliteStores', ['close']).refine((value) => !('path' in value)),
        openDatabaseOptionsSchema,
      ])
      .describe('SqliteStores (from openSqliteStores) or { path } to open a database'),
    secrets: z.boolean().optional(),
    namespaces: z.boolean().optional(),
  }),
);
