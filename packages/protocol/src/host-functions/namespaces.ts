import { z } from 'zod';
import { jsonValueSchema } from '../json.js';
import { defineHostFunction } from './define.js';
import { base64Field, dataResponse, okResponse } from './shared-schemas.js';

const nsId = z.string().min(1, { error: 'ns_id must be a non-empty string' });
const objectKey = z.string().min(1, { error: 'key must be a non-empty string' });

/**
 * Target of a namespace-wide operation (create, list). Scopes are `<ns_id>/<key>` paths, so only an `all`
 * include grants these.
 */
export const NAMESPACE_WIDE_TARGET = '*';

const namespaceWide = {
  types: ['namespaces'],
  rule: 'namespaces on "*" (only an `all` include grants it)',
  target: () => NAMESPACE_WIDE_TARGET,
} as const;
const onNamespace = {
  types: ['namespaces'],
  rule: 'namespaces on ns_id',
  target: (request: { ns_id: string }) => request.ns_id,
} as const;
const onObject = {
  types: ['namespaces'],
  rule: 'namespaces on "<ns_id>/<key>"',
  target: (request: { ns_id: string; key: string }) => `${request.ns_id}/${request.key}`,
} as const;

/** One namespace, as `host_namespace_create` and `host_namespace_list` answer it. */
export const namespaceInfo = z.object({
  id: z.string(),
  owner_user_id: z.string(),
  created_at: z.number().int().describe('ms since epoch'),
  metadata: jsonValueSchema.optional(),
});

/** One object of a namespace, as `host_namespace_list_objects` answers it; extra keys are kept. */
export const namespaceObjectInfo = z.looseObject({
  key: z.string(),
  mime_type: z.string().nullable().optional(),
  size_bytes: z.number().int().nullable().optional(),
  updated_at: z.number().int().nullable().optional().describe('ms since epoch'),
  content_hash: z.string().nullable().optional().describe('sha256 hex'),
});

/** The answer of the batched object reads: objects by key, and per-key errors. */
export const batchObjectsResponse = z.object({
  objects: z.record(
    z.string(),
    z.object({
      data: z.string().describe('UTF-8 text when encoding is "text", else base64'),
      mime_type: z.string(),
      encoding: z.enum(['text', 'base64']),
    }),
  ),
  errors: z.record(z.string(), z.string()).optional().describe('Per-key errors; absent when none.'),
});

export const hostNamespaceCreate = defineHostFunction({
  name: 'host_namespace_create',
  set: 'required',
  capability: 'namespaces',
  summary: 'Create an object namespace.',
  request: z.object({ metadata: jsonValueSchema.optional() }),
  success: {
    kind: 'json',
    schema: namespaceInfo,
    description: '`{id, owner_user_id, created_at, metadata?}`',
  },
  failure: 'E',
  permission: namespaceWide,
});

export const hostNamespaceList = defineHostFunction({
  name: 'host_namespace_list',
  set: 'required',
  capability: 'namespaces',
  summary: 'List the namespaces the plugin can see.',
  request: null,
  success: { kind: 'json', schema: z.array(namespaceInfo), description: 'array of namespace infos' },
  failure: 'E',
  permission: namespaceWide,
});

export const hostNamespacePutObject = defineHostFunction({
  name: 'host_namespace_put_object',
  set: 'required',
  capability: 'namespaces',
  summary: 'Store an object in a namespace.',
  request: z.object({
    ns_id: nsId,
    key: objectKey,
    body_base64: base64Field,
    mime_type: z.string(),
    audience: z.string().optional(),
  }),
  success: { kind: 'json', schema: okResponse, description: '`{"ok": true}`' },
  failure: 'E',
  permission: onObject,
});

export const hostNamespaceGetObject = defineHostFunction({
  name: 'host_namespace_get_object',
  set: 'required',
  capability: 'namespaces',
  summary: 'Read an object from a namespace.',
  request: z.object({ ns_id: nsId, key: objectKey }),
  success: { kind: 'json', schema: dataResponse, description: '`{data: base64}`' },
  failure: 'E',
  permission: onObject,
});

export const hostNamespaceDeleteObject = defineHostFunction({
  name: 'host_namespace_delete_object',
  set: 'required',
  capability: 'namespaces',
  summary: 'Delete an object from a namespace.',
  request: z.object({ ns_id: nsId, key: objectKey }),
  success: { kind: 'json', schema: okResponse, description: '`{"ok": true}`' },
  failure: 'E',
  permission: onObject,
});

export const hostNamespaceListObjects = defineHostFunction({
  name: 'host_namespace_list_objects',
  set: 'required',
  capability: 'namespaces',
  summary: 'List objects in a namespace, by key prefix, paged.',
  request: z.object({
    ns_id: nsId,
    prefix: z.string().optional(),
    limit: z.number().int().positive().optional(),
    offset: z.number().int().nonnegative().optional(),
  }),
  success: { kind: 'json', schema: z.array(namespaceObjectInfo), description: 'array of object infos' },
  failure: 'E',
  permission: {
    types: ['namespaces'],
    rule: 'namespaces on "<ns_id>/<prefix>" (on ns_id without a prefix)',
    target: (request) => (request.prefix ? `${request.ns_id}/${request.prefix}` : request.ns_id),
  },
});

export const hostNamespaceGetObjectsBatch = defineHostFunction({
  name: 'host_namespace_get_objects_batch',
  set: 'extended',
  capability: 'namespaces',
  summary: 'Read many objects of a namespace at once.',
  request: z.object({ ns_id: nsId, keys: z.array(objectKey).max(500) }),
  success: {
    kind: 'json',
    schema: batchObjectsResponse,
    description: '`{objects: {key: {data, mime_type, encoding}}, errors?}`',
  },
  failure: 'E',
  permission: {
    ...onNamespace,
    rule: 'namespaces on "<ns_id>/<key>" for each key; denied keys go to errors',
  },
});

export const hostNamespaceGetObjectsBatchesConcurrent = defineHostFunction({
  name: 'host_namespace_get_objects_batches_concurrent',
  set: 'extended',
  capability: 'namespaces',
  summary: 'Read several batches of objects concurrently; results merged.',
  request: z.object({
    ns_id: nsId,
    batches: z.array(z.array(objectKey)),
    max_concurrency: z.number().int().positive().optional(),
  }),
  success: { kind: 'json', schema: batchObjectsResponse, description: 'as host_namespace_get_objects_batch' },
  failure: 'E',
  permission: {
    ...onNamespace,
    rule: 'namespaces on "<ns_id>/<key>" for each key; denied keys go to errors',
  },
});

export const hostNamespaceSyncAudience = defineHostFunction({
  name: 'host_namespace_sync_audience',
  set: 'extended',
  capability: 'unsupported',
  summary: 'Create or update an audience (access gates) of a namespace.',
  request: z.object({
    ns_id: nsId,
    audience: z.string().min(1),
    gates: z
      .array(jsonValueSchema)
      .nullable()
      .default(null)
      .describe('Gates tagged by `kind`; empty = public.'),
  }),
  success: { kind: 'json', schema: okResponse, description: '`{"ok": true}`' },
  failure: 'E',
  permission: onNamespace,
});

export const hostNamespaceListAudiences = defineHostFunction({
  name: 'host_namespace_list_audiences',
  set: 'extended',
  capability: 'unsupported',
  summary: 'List the audiences of a namespace.',
  request: z.object({ ns_id: nsId }),
  success: {
    kind: 'json',
    schema: z.object({ audiences: z.array(z.string()) }),
    description: '`{audiences: []}`',
  },
  failure: 'E',
  permission: onNamespace,
});

export const hostNamespaceDeleteAudience = defineHostFunction({
  name: 'host_namespace_delete_audience',
  set: 'extended',
  capability: 'unsupported',
  summary: 'Delete an audience of a namespace.',
  request: z.object({ ns_id: nsId, audience: z.string().min(1) }),
  success: { kind: 'json', schema: okResponse, description: '`{"ok": true}`' },
  failure: 'E',
  permission: onNamespace,
});

export const hostNamespaceSendEmail = defineHostFunction({
  name: 'host_namespace_send_email',
  set: 'extended',
  capability: 'unsupported',
  summary: "Email a namespace audience (Diaryx guest SDK import; not in Diaryx's documented set).",
  request: z.object({
    ns_id: nsId,
    audience: z.string().min(1),
    subject: z.string(),
    reply_to: z.string().optional(),
  }),
  success: { kind: 'json', schema: z.record(z.string(), jsonValueSchema), description: 'a JSON object' },
  failure: 'E',
  permission: onNamespace,
});

export const hostNamespaceBuild = defineHostFunction({
  name: 'host_namespace_build',
  set: 'extended',
  capability: 'unsupported',
  summary: 'Build a namespace (no public shape exists upstream; always "not available" on Plinth).',
  request: null,
  success: { kind: 'json', schema: z.record(z.string(), jsonValueSchema), description: 'a JSON object' },
  failure: 'E',
  permission: namespaceWide,
});
