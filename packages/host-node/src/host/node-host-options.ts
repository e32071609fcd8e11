import { defineOptions, functionOption, objectOption } from '@plinth/protocol';
import { limitOverridesSchema } from '@plinth/runtime';
import { type KeyValueStore, type NamespaceStore, type SecretStore } from '@plinth/host-kit';
import { z } from 'zod';
import { hostAppVersionOption, hostListOption, pathListOption, pathOption } from '../shared-options.js';
import type { NodeHostOptions } from './node-host-types.js';

/** The options of `createNodeHost`, checked before anything is created on disk. */
export const nodeHostOptionsSchema = defineOptions<NodeHostOptions>()(
  z.strictObject({
    workspaceRoot: pathOption,
    pluginsRoot: pathOption,
    create: z.boolean().optional(),
    storagePath: pathOption.optional(),
    // Not strict: an app passes its stores object as it got it (openPostgresStores adds schema and close).
    stores: z
      .object({
        storage: objectOption<KeyValueStore>('a KeyValueStore', ['get', 'set', 'delete']),
        secrets: objectOption<SecretStore>('a SecretStore', ['get', 'set', 'delete']),
        namespaces: objectOption<NamespaceStore>('a NamespaceStore', [
          'createNamespace',
          'getNamespace',
          'putObject',
        ]),
        synchronous: z.boolean().optional(),
      })
      .optional(),
    policy: z
      .union([z.strictObject({ file: pathOption }), z.strictObject({ frontMatter: pathOption })])
      .describe('a { file } or { frontMatter } object'),
    hostAppVersion: hostAppVersionOption,
    lane: z.enum(['auto', 'isolated', 'in-thread']).optional(),
    limits: limitOverridesSchema.optional(),
    allowPrivateHosts: hostListOption.optional(),
    runtimeContext: functionOption('a function (pluginId) => object').optional(),
    watch: z.boolean().optional(),
    onLog: functionOption().optional(),
    onEvent: functionOption().optional(),
    onChange: functionOption().optional(),
    onProgress: functionOption().optional(),
    onCall: functionOption().optional(),
    denialsKept: z.int().min(0).describe('a whole number (0 or more)').optional(),
    hiddenPaths: pathListOption.optional(),
    // Each function is checked by openPlugin when a generic plugin opens.
    extismFunctions: z
      .record(z.string(), z.record(z.string(), functionOption('a host function')))
      .describe('host functions by namespace, then by name')
      .optional(),
  }),
);
