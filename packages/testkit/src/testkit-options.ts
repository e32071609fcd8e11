import type { PermissionChecker } from '@plinth/permissions';
import {
  defineOptions,
  functionOption,
  HOST_FUNCTION_NAMES,
  isSemver,
  objectOption,
  type JsonObject,
} from '@plinth/protocol';
import { filesBundleOptionsSchema, type CancellationRegistry, type RequestFileScope } from '@plinth/host-kit';
import { limitOverridesSchema } from '@plinth/runtime';
import { z } from 'zod';
import type { ConformanceBudgets, ConformanceOptions } from './conformance/run-conformance.js';
import type { DirectPluginOptions } from './guests/direct-host.js';
import type { PluginCommandBundleOptions } from './harness/plugin-command.js';
import type { HarnessPolicy, PluginHarnessOptions } from './harness/plugin-harness.js';
import type { Transcript } from './harness/transcript.js';
import type { ManualClock, MemoryBasicsOptions } from './twins/basics.js';
import type {
  MemoryFsBundleOptions,
  MemoryWorkspaceFiles,
  MemoryWorkspaceFilesOptions,
} from './twins/files.js';
import type { Route } from './twins/http.js';
import type { WasiScript } from './twins/wasi.js';
import type { MemoryWsServerOptions } from './twins/ws.js';

/** Option schemas of the testkit's factories: the harness, the twins and the conformance runner. */

const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array).describe('a Uint8Array');
const wasm = z.union([bytes, z.string().min(1)]).describe('module bytes or a path to a .wasm file');
const hostAppVersion = z
  .string()
  .refine(isSemver, { error: 'a semantic version such as "1.2.3"' })
  .describe('a semantic version such as "1.2.3"');
const lane = z.enum(['in-thread', 'isolated']);
const workspaceFiles = z
  .record(z.string(), z.union([z.string(), bytes]).describe('text or bytes'))
  .describe('workspace-relative paths to text or bytes');
const checker = objectOption<PermissionChecker>('a PermissionChecker (with check and checkAsync)', [
  'check',
  'checkAsync',
]);

const routeSchema = defineOptions<Route>()(
  z.strictObject({
    method: z.string().optional(),
    url: z.union([z.string(), z.instanceof(RegExp)]).describe('a URL string or a RegExp'),
    respond: z
      .custom<Route['respond']>(
        (value) => typeof value === 'function' || (typeof value === 'object' && value !== null),
      )
      .describe('a RouteAnswer or a function returning one'),
  }),
);
const routes = z.array(routeSchema).readonly();

const wasiScriptSchema = defineOptions<WasiScript>()(
  z.strictObject({
    module: z
      .union([z.string().min(1), z.instanceof(RegExp), bytes])
      .describe('a module key, a RegExp or module bytes'),
    respond: z
      .custom<WasiScript['respond']>(
        (value) => typeof value === 'function' || (typeof value === 'object' && value !== null),
      )
      .describe('a WasiScriptAnswer or a function returning one'),
  }),
);
const wasiScripts = z.array(wasiScriptSchema).readonly();

/** `createScriptedWasiRunner(scripts)`, checked as one value so the argument is named. */
export const scriptedWasiRunnerArgumentsSchema = defineOptions<{ scripts: readonly WasiScript[] }>()(
  z.strictObject({ scripts: wasiScripts }),
);

export const memoryWsServerOptionsSchema = defineOptions<MemoryWsServerOptions>()(
  z.strictObject({
    handshake: functionOption("a function (socket) => 'accept' | 'refuse' | 'hold'").optional(),
    onOpen: functionOption('a function (socket) => void').optional(),
    onMessage: functionOption('a function (socket, data) => void').optional(),
  }),
);

const harnessPolicy = z
  .custom<HarnessPolicy>(
    (value) =>
      value === 'allow-all' || (typeof value === 'object' && value !== null && !Array.isArray(value)),
  )
  .describe("permission rules, a policy document or 'allow-all'");

export const pluginHarnessOptionsSchema = defineOptions<PluginHarnessOptions>()(
  z.strictObject({
    wasm,
    files: workspaceFiles.optional(),
    policy: harnessPolicy.optional(),
    httpRoutes: routes.optional(),
    wasiModules: wasiScripts.optional(),
    wsServer: memoryWsServerOptionsSchema.optional(),
    config: z
      .custom<JsonObject>((value) => typeof value === 'object' && value !== null && !Array.isArray(value))
      .describe('a JSON object')
      .optional(),
    lane: lane.optional(),
    fuel: z.boolean().optional(),
    limits: limitOverridesSchema.optional(),
    hostAppVersion: hostAppVersion.optional(),
    expectedId: z.string().min(1).optional(),
    runtimeContext: z.record(z.string(), z.unknown()).describe('a JSON object').optional(),
    clockStartMs: z.number().min(0).describe('ms since the epoch (0 or more)').optional(),
    neighbours: z.record(z.string(), functionOption('a HarnessNeighbour function')).optional(),
    extismConfig: z.record(z.string(), z.string()).describe('an object of string values').optional(),
    hostFunctions: z
      .partialRecord(z.enum(HOST_FUNCTION_NAMES), functionOption('a host-function handler').optional())
      .describe('a HostBundle (host-function handlers by catalogue name)')
      .optional(),
    replay: objectOption<Transcript>('a Transcript (see parseTranscript)').optional(),
  }),
);

export const pluginCommandBundleOptionsSchema = defineOptions<PluginCommandBundleOptions>()(
  z.strictObject({
    permissions: checker,
    neighbours: z.record(z.string(), functionOption('a HarnessNeighbour function')),
    onRefusal: functionOption(),
  }),
);

export const memoryFsBundleOptionsSchema = defineOptions<MemoryFsBundleOptions>()(
  filesBundleOptionsSchema.omit({ files: true }).extend({
    initialFiles: workspaceFiles.optional(),
    files: objectOption<MemoryWorkspaceFiles>('MemoryWorkspaceFiles (from createMemoryWorkspaceFiles)', [
      'read',
      'write',
      'snapshot',
    ]).optional(),
  }),
);

/** `createMemoryWorkspaceFiles(initialFiles, options)`, checked as one value so each argument is named. */
export const memoryWorkspaceFilesArgumentsSchema = defineOptions<{
  initialFiles: Readonly<Record<string, string | Uint8Array>>;
  options: MemoryWorkspaceFilesOptions;
}>()(
  z.strictObject({
    initialFiles: workspaceFiles,
    options: z.strictObject({
      now: functionOption<() => number>('a function returning ms since the epoch').optional(),
    }),
  }),
);

const positiveNumber = z.number().positive().describe('a positive number');

export const memoryBasicsOptionsSchema = defineOptions<MemoryBasicsOptions>()(
  z.strictObject({
    clock: objectOption<ManualClock>('a ManualClock (from createManualClock)', [
      'now',
      'set',
      'advance',
    ]).optional(),
    logRatePerSecond: positiveNumber.optional(),
    eventsPerSecond: positiveNumber.optional(),
    runtimeContext: functionOption('a function (context) => object').optional(),
    redactKeys: z
      .array(z.union([z.string(), z.instanceof(RegExp)]))
      .readonly()
      .optional(),
    requestFiles: objectOption<RequestFileScope>('a RequestFileScope', ['lookup', 'run']).optional(),
    cancellation: objectOption<CancellationRegistry>('a CancellationRegistry', [
      'create',
      'cancel',
      'isCancelled',
    ]).optional(),
  }),
);

const positiveWhole = z.int().min(1).describe('a positive whole number');

const budgetsSchema = defineOptions<Partial<ConformanceBudgets>>()(
  z.strictObject({
    callTimeoutMs: positiveWhole.optional(),
    fuelPerCall: limitOverridesSchema.shape.fuelPerCall,
    memoryMaxPages: z.int().min(1).max(65_536).describe('a whole number of pages from 1 to 65536').optional(),
    outputMaxBytes: positiveWhole.optional(),
    hostCallsPerCall: positiveWhole.optional(),
  }),
);

export const conformanceOptionsSchema = defineOptions<ConformanceOptions>()(
  z.strictObject({
    wasm,
    fixtures: z.record(z.string(), z.unknown()).describe('params by command name').optional(),
    lane: lane.optional(),
    budgets: budgetsSchema.optional(),
    hostAppVersion: hostAppVersion.optional(),
    expectedId: z.string().min(1).optional(),
    files: workspaceFiles.optional(),
    httpRoutes: routes.optional(),
    copies: z.array(z.string().min(1)).readonly().optional(),
  }),
);

/** `createDirectPlugin(wasm, options)`, checked as one value so each argument is named. */
export const directPluginArgumentsSchema = defineOptions<{
  wasm: Uint8Array;
  options: DirectPluginOptions;
}>()(
  z.strictObject({
    wasm: bytes.describe('module bytes'),
    options: z.strictObject({
      answers: z.record(z.string(), z.string()).describe('answers by host-function name').optional(),
    }),
  }),
);
