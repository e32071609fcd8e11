import type { PermissionChecker } from '@plinth/permissions';
import type { WasiFactory } from '../lanes/wasi.js';
import {
  defineOptions,
  functionOption,
  objectOption,
  type GuestManifest,
  type InitContext,
} from '@plinth/protocol';
import { z } from 'zod';
import { extismManifestSchema, snakeCaseManifest } from '../generic/extism-manifest.js';
import type { ExtismLogSink } from '../generic/guest-functions.js';
import type { UserFunctionEntry, UserHostFunction } from '../generic/user-functions.js';
import type { HttpTransport } from '@plinth/host-kit';
import type { HostFunctionsOptions } from '../host/host-functions.js';
import type { LaneFactory, LaneOptions } from '../lanes/lane.js';
import { limitOverridesSchema, pluginLimitsSchema } from '../limits.js';
import type { CompileCache, CompileCacheOptions } from '../loader/compile-cache.js';
import type { LoadModuleOptions } from '../loader/load-module.js';
import type { ModuleSource } from '../loader/module-source.js';
import type { OpenPluginOptions, OpenProtocolPluginOptions } from '../open-plugin.js';
import type { ProtocolLog } from '../protocol/protocol-log.js';
import type { ProtocolPluginOptions } from '../protocol/protocol-plugin.js';
import { bundleOption } from '@plinth/host-kit';
import {
  bytesOption,
  hostAppVersionOption,
  jsonObjectOption,
  laneOption,
  moduleOption,
  stringMapOption,
} from './shared-options.js';

/** Option schemas of loading a module and opening a plugin on a lane. */

const origin = z.string().optional();

export const moduleSourceSchema = defineOptions<ModuleSource>()(
  z
    .union([
      z.strictObject({ bytes: bytesOption, origin }),
      z.strictObject({ module: moduleOption, origin }),
      z.strictObject({
        url: z.union([z.string(), z.instanceof(URL)]).describe('a URL string or URL'),
        fetch: functionOption<typeof fetch>().optional(),
      }),
    ])
    .describe('a { bytes }, { module } or { url } source'),
);

const onHostCall = functionOption<NonNullable<LaneOptions['onHostCall']>>().optional();
const onHandlerError = functionOption<NonNullable<LaneOptions['onHandlerError']>>().optional();

const functionName = z.strictObject({ namespace: z.string(), name: z.string() });
const userFunctionEntry = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  handler: functionOption<UserFunctionEntry['handler']>(),
});
const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).optional();
const guestLog = functionOption<ExtismLogSink>().optional();

const loadModuleShape = {
  hostFunctions: z.array(z.string()).readonly().optional(),
  allowWasi: z.boolean().optional(),
  userFunctions: z.array(functionName).readonly().optional(),
  linkedExports: z
    .record(
      z.string(),
      z
        .array(
          z.strictObject({ name: z.string(), kind: z.enum(['func', 'table', 'memory', 'global', 'tag']) }),
        )
        .readonly(),
    )
    .optional(),
  limits: limitOverridesSchema.optional(),
  // The pin's format is checked by the loader: it is often user input, refused as load_failed.
  sha256: z.string().optional(),
  trusted: z.boolean().optional(),
  fuel: z.boolean().optional(),
  ownWasi: z.boolean().optional(),
  cache: z
    .union([z.literal(false), objectOption<CompileCache>('a CompileCache', ['compile'])])
    .describe('a CompileCache or false')
    .optional(),
  pluginId: z.string().optional(),
  pluginVersion: z.string().optional(),
};

/** `loadModule(source, options)`, checked as one value so each argument is named. */
export const loadModuleArgumentsSchema = defineOptions<{
  source: ModuleSource;
  options: LoadModuleOptions;
}>()(z.strictObject({ source: moduleSourceSchema, options: z.strictObject(loadModuleShape) }));

const {
  userFunctions: _userFunctions,
  linkedExports: _linkedExports,
  ownWasi: _ownWasi,
  ...openLoadShape
} = loadModuleShape;
const wasiFactory = functionOption<WasiFactory>('a WASI factory such as nodeWasi from @plinth/runtime/node');

const openPluginShape = {
  ...openLoadShape,
  source: moduleSourceSchema.optional(),
  manifest: z
    .preprocess(snakeCaseManifest, extismManifestSchema)
    .describe('an Extism manifest ({ wasm: [...], memory?, config?, timeout_ms? })')
    .optional(),
  readPath: functionOption<NonNullable<OpenPluginOptions['readPath']>>().optional(),
  httpTransport: objectOption<HttpTransport>('an HttpTransport (with send)', ['send']).optional(),
  httpPermissions: objectOption<PermissionChecker>('a PermissionChecker (with check)', ['check']).optional(),
  functions: z
    .record(z.string(), z.record(z.string(), functionOption<UserHostFunction>('a host function')))
    .describe('host functions by namespace, then by name')
    .optional(),
  guestLog,
  logLevel,
  bundle: bundleOption.optional(),
  lane: functionOption<LaneFactory>('a lane factory such as createIsolatedLane').optional(),
  wasi: wasiFactory.optional(),
  config: stringMapOption.optional(),
  onHostCall,
  onHandlerError,
};

/** Exactly one of `source` and `manifest`. */
const oneSource = (options: { source?: unknown; manifest?: unknown }, context: z.RefinementCtx): void => {
  if ((options.source === undefined) === (options.manifest === undefined)) {
    context.addIssue({
      code: 'custom',
      message:
        options.source === undefined
          ? 'a source or a manifest is required'
          : 'give a source or a manifest, not both',
      path: [],
    });
  }
};

export const openPluginOptionsSchema = defineOptions<OpenPluginOptions>()(
  z.strictObject(openPluginShape).superRefine(oneSource),
);

const manifestMaxBytes = z.int().min(1).describe('a positive whole number of bytes').optional();
const storedConfig = jsonObjectOption.nullable().optional();
const initContext = objectOption<InitContext>('an InitContext object');
const cachedManifest = objectOption<GuestManifest>('a GuestManifest object').optional();
const log = functionOption<ProtocolLog>().optional();

export const openProtocolPluginOptionsSchema = defineOptions<OpenProtocolPluginOptions>()(
  z
    .strictObject({
      ...openPluginShape,
      hostAppVersion: hostAppVersionOption,
      expectedId: z.string().optional(),
      storedConfig,
      initContext: initContext.optional(),
      cachedManifest,
      log,
      manifestMaxBytes,
    })
    .superRefine(oneSource),
);

export const protocolPluginOptionsSchema = defineOptions<ProtocolPluginOptions>()(
  z.strictObject({
    lane: laneOption,
    hostAppVersion: hostAppVersionOption,
    expectedId: z.string().optional(),
    storedConfig,
    initContext,
    log,
    cachedManifest,
    manifestMaxBytes,
  }),
);

const laneShape = {
  module: moduleOption,
  bundle: bundleOption,
  limits: pluginLimitsSchema.describe('complete PluginLimits (see resolveLimits)'),
  config: stringMapOption.optional(),
  allowWasi: z.boolean().optional(),
  onHostCall,
  onHandlerError,
  functions: z.array(userFunctionEntry).readonly().optional(),
  linked: z
    .array(z.strictObject({ name: z.string(), module: moduleOption }))
    .readonly()
    .optional(),
  guestLog,
  logLevel,
  wasi: z
    .strictObject({
      mounts: z
        .array(
          z.strictObject({
            hostPath: z.string().min(1),
            guestPath: z.string().min(1),
            readOnly: z.boolean(),
          }),
        )
        .readonly(),
      create: wasiFactory.optional(),
    })
    .optional(),
};

export const laneOptionsSchema = defineOptions<LaneOptions>()(z.strictObject(laneShape));

export const compileCacheOptionsSchema = defineOptions<CompileCacheOptions>()(
  z.strictObject({
    maxEntries: z.int().min(1).describe('a positive whole number').optional(),
    compile: functionOption<NonNullable<CompileCacheOptions['compile']>>().optional(),
  }),
);

export const hostFunctionsOptionsSchema = defineOptions<HostFunctionsOptions>()(
  z.strictObject({
    bundle: bundleOption,
    maxHostCallsPerCall: z.int().min(1).describe('a positive whole number'),
    onHostCall,
    onHandlerError,
  }),
);
