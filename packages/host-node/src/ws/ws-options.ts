import { defineOptions, functionOption, objectOption } from '@plinth/protocol';
import { z } from 'zod';
import { addressPolicyOptionsSchema } from '../http/http-options.js';
import { auditOption, checkerOption, resolveOption } from '../shared-options.js';
import type { DeliverToGuest } from './delivery-queue.js';
import type { ReconnectTimers } from './reconnect-backoff.js';
import type { WsBridgeOptions } from './ws-bridge.js';

const positiveWhole = z.int().min(1).describe('a positive whole number');

export const wsBridgeOptionsSchema = defineOptions<WsBridgeOptions>()(
  addressPolicyOptionsSchema.extend({
    permissions: checkerOption,
    deliver: functionOption<DeliverToGuest>('a function (pluginId, exportName, input) delivering a frame'),
    ask: z.boolean().optional(),
    audit: auditOption.optional(),
    resolve: resolveOption.optional(),
    timers: objectOption<ReconnectTimers>('ReconnectTimers (with set and clear)', [
      'set',
      'clear',
    ]).optional(),
    maxMessageBytes: positiveWhole.optional(),
    maxQueuedMessages: positiveWhole.optional(),
    onEvent: functionOption().optional(),
  }),
);
