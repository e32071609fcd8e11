import { checkerOption, positiveNumberOption } from '@plinth/host-kit';
import {
  defineOptions,
  isSemver,
  objectOption,
  type JsonObject,
  type PlinthErrorContext,
} from '@plinth/protocol';
import { z } from 'zod';
import type { Lane } from '../lanes/lane.js';

/** Option schemas several runtime factories share. */

export { checkerOption, positiveNumberOption };

export const laneOption = objectOption<Lane>('a Lane (with call, hasExport and close)', [
  'call',
  'hasExport',
  'close',
]);

export const moduleOption = z.instanceof(WebAssembly.Module).describe('a compiled WebAssembly.Module');

// Any Uint8Array (a Buffer too), whatever its backing buffer: `z.instanceof` would narrow to ArrayBuffer.
export const bytesOption = z
  .custom<Uint8Array>((value) => value instanceof Uint8Array)
  .describe('a Uint8Array');

export const hostAppVersionOption = z
  .string()
  .refine(isSemver, { error: 'a semantic version such as "1.2.3"' })
  .describe('a semantic version such as "1.2.3"');

export const stringMapOption = z.record(z.string(), z.string()).describe('an object of string values');

export const jsonObjectOption = z
  .custom<JsonObject>((value) => typeof value === 'object' && value !== null && !Array.isArray(value))
  .describe('a JSON object');

export const errorContextOption = defineOptions<PlinthErrorContext>()(
  z.strictObject({
    pluginId: z.string().optional(),
    pluginVersion: z.string().optional(),
    exportName: z.string().optional(),
    hostFunction: z.string().optional(),
    limit: z.string().optional(),
    fuelBudget: z.number().optional(),
    fuelUsed: z.number().optional(),
    exitCode: z.number().optional(),
  }),
);
