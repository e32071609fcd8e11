// @plinth/host-node/http: host_http_request on undici, refusing private destinations by resolved address.
import { checkOptions } from '@plinth/protocol';
import { createHttpBundle, type HostBundle, type HttpBundleOptions } from '@plinth/host-kit';
import { nodeHttpBundleOptionsSchema } from './http-options.js';
import {
  createNodeHttpTransport,
  type NodeHttpTransport,
  type NodeHttpTransportOptions,
} from './node-http-transport.js';

export {
  classifyAddress,
  createAddressPolicy,
  type AddressPolicy,
  type AddressPolicyOptions,
} from './address-policy.js';
export {
  BlockedAddressError,
  createGuardedLookup,
  systemResolve,
  type ResolveHost,
} from './guarded-lookup.js';
export {
  createNodeHttpTransport,
  type NodeHttpTransport,
  type NodeHttpTransportOptions,
} from './node-http-transport.js';

/**
 * What `createNodeHttpBundle` takes: the runtime HTTP bundle's options, without a transport, plus the network
 * settings of the Node one.
 */
export interface NodeHttpBundleOptions extends Omit<HttpBundleOptions, 'transport'> {
  /** Address policy and DNS of the undici transport. */
  network?: NodeHttpTransportOptions | undefined;
}

/** `host_http_request` over undici, the transport behind it, and how to close it. */
export interface NodeHttpBundle {
  /** Serves `host_http_request`; its handler is async, so use it on the isolated lane. */
  bundle: HostBundle;
  transport: NodeHttpTransport;
  /** Closes the transport's pooled connections. */
  close(): Promise<void>;
}

/** `createHttpBundle` wired to the Node transport. */
export function createNodeHttpBundle(options: NodeHttpBundleOptions): NodeHttpBundle {
  checkOptions('createNodeHttpBundle', nodeHttpBundleOptionsSchema, options);
  const { network, ...bundleOptions } = options;
  const transport = createNodeHttpTransport(network);
  return {
    bundle: createHttpBundle({ ...bundleOptions, transport }),
    transport,
    close: () => transport.close(),
  };
}
