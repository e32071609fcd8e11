import type { z } from 'zod';
import { definePayload, type ParseResult, type Payload } from '../payload.js';
import type { PermissionType } from '../permissions.js';
import { renderFailure, type FailureShape } from './failure-shapes.js';

/**
 * The host capabilities: each catalogue function belongs to exactly one, and a capability's bundle serves
 * all of its functions. `unsupported` marks the functions no Plinth host implements; they answer "not
 * available" in their failure shape everywhere.
 */
export const HOST_CAPABILITIES = [
  'files',
  'storage',
  'secrets',
  'namespaces',
  'http',
  'ws',
  'wasi',
  'basics',
  'plugins',
  'unsupported',
] as const;

/** One host capability (see `HOST_CAPABILITIES`). */
export type HostCapability = (typeof HOST_CAPABILITIES)[number];

/** How a successful answer is encoded on the wire. */
export type SuccessEncoding =
  /** JSON text matching `schema`. */
  | { kind: 'json'; schema: z.ZodType; description: string }
  /** Raw text (not JSON) matching `schema`, e.g. file contents or `"true"`. */
  | { kind: 'text'; schema: z.ZodType<string>; description: string }
  /** Raw bytes (not JSON, not necessarily UTF-8). */
  | { kind: 'bytes'; description: string };

/** The permission a function checks, and how its target is derived from the request. */
export interface PermissionCheck<Request> {
  /** The types the function may check. Most have one; writes pick edit or create by existence. */
  types: readonly PermissionType[];
  /** How the host chooses among `types`, and what the target is, in words for the docs. */
  rule: string;
  /** The target checked for a request; `null` when this request needs no check. */
  target: (request: Request) => string | null;
}

/**
 * What a catalogue entry declares about one host function; `defineHostFunction` turns it into a
 * HostFunctionSpec.
 */
export interface HostFunctionDefinition<
  Name extends string,
  Request extends z.ZodType,
  Capability extends HostCapability = HostCapability,
> {
  name: Name;
  set: 'required' | 'extended';
  /** The capability whose bundle serves this function. */
  capability: Capability;
  /**
   * The function carries a secret value — the `value` field of its request, or of its success answer —
   * that host-call records and transcripts must never show.
   */
  secret?: boolean;
  summary: string;
  /** Schema of the JSON input; `null` when the input is ignored. */
  request: Request | null;
  success: SuccessEncoding;
  failure: FailureShape;
  /** For `Q` and `none`: the answer given when the function fails or the target is absent. */
  quiet?: string;
  permission: PermissionCheck<z.output<Request>> | null;
  /** A per-plugin rate limit applies (log, emitted events). */
  rateLimited?: boolean;
}

/**
 * A catalogue entry: the definition plus the helpers every host uses to decode requests and render failures.
 */
export interface HostFunctionSpec<
  Name extends string = string,
  Request extends z.ZodType = z.ZodType,
  Capability extends HostCapability = HostCapability,
> extends HostFunctionDefinition<Name, Request, Capability> {
  quiet: string;
  secret: boolean;
  /** The request as a payload (for JSON Schema and docs); `null` when the input is ignored. */
  requestPayload: Payload<z.output<Request>> | null;
  /** Decodes and validates the input text; an ignored input always decodes to `{}`. Never throws. */
  decodeRequest(text: string): ParseResult<z.output<Request>>;
  /** Renders a failure in this function's shape, message prefixed with the function name. */
  failureOutput(message: string): string;
  /** The answer of a host that does not implement this function. */
  notAvailableOutput(): string;
}

/** The canonical "not available" message for an unimplemented function. */
export const notAvailableMessage = (name: string): string => `${name}: not available on this host`;

/**
 * Builds a catalogue entry from its definition. `quiet` defaults to `""`; the request payload is named
 * `<name> request`.
 */
export function defineHostFunction<
  const Name extends string,
  Request extends z.ZodType,
  const Capability extends HostCapability,
>(
  definition: HostFunctionDefinition<Name, Request, Capability>,
): HostFunctionSpec<Name, Request, Capability> {
  const { name, failure, request } = definition;
  const quiet = definition.quiet ?? '';
  const requestPayload =
    request === null
      ? null
      : definePayload<z.output<Request>>({
          name: `${name} request`,
          fileName: `${name}.request`,
          description: `Input of ${name}.`,
          schema: request as z.ZodType<z.output<Request>>,
        });
  return {
    ...definition,
    quiet,
    secret: definition.secret ?? false,
    requestPayload,
    decodeRequest: (text) =>
      requestPayload === null
        ? { ok: true, value: {} as z.output<Request>, warnings: [] }
        : requestPayload.decode(text),
    failureOutput: (message) => renderFailure(failure, name, message, quiet),
    notAvailableOutput: () => renderFailure(failure, name, notAvailableMessage(name), quiet),
  };
}
