import { defineOptions } from '@plinth/protocol';
import { wsBundleOptionsSchema } from '@plinth/host-kit';
import { addressPolicyOptionsSchema } from '../http/http-options.js';
import { resolveOption } from '../shared-options.js';
import type { NodeWsConnectorOptions } from './node-ws-connector.js';
import type { WsBridgeOptions } from './ws-bridge.js';

export const nodeWsConnectorOptionsSchema = defineOptions<NodeWsConnectorOptions>()(
  addressPolicyOptionsSchema.extend({ resolve: resolveOption.optional() }),
);

export const wsBridgeOptionsSchema = defineOptions<WsBridgeOptions>()(
  wsBundleOptionsSchema.omit({ connector: true }).extend(nodeWsConnectorOptionsSchema.shape),
);
