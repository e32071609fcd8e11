import { defineOptions } from '@plinth/protocol';
import { httpBundleOptionsSchema } from '@plinth/host-kit';
import { z } from 'zod';
import { hostListOption, resolveOption } from '../shared-options.js';
import type { AddressPolicyOptions } from './address-policy.js';
import type { NodeHttpBundleOptions } from './index.js';
import type { NodeHttpTransportOptions } from './node-http-transport.js';

export const addressPolicyOptionsSchema = defineOptions<AddressPolicyOptions>()(
  z.strictObject({ allowPrivateHosts: hostListOption.optional() }),
);

export const nodeHttpTransportOptionsSchema = defineOptions<NodeHttpTransportOptions>()(
  addressPolicyOptionsSchema.extend({ resolve: resolveOption.optional() }),
);

export const nodeHttpBundleOptionsSchema = defineOptions<NodeHttpBundleOptions>()(
  httpBundleOptionsSchema
    .omit({ transport: true })
    .extend({ network: nodeHttpTransportOptionsSchema.optional() }),
);
