import { z } from 'zod';
import { defineHostFunction } from './define.js';
import {
  base64Field,
  dataResponse,
  emptyText,
  pathField,
  pathRequest,
  stringList,
} from './shared-schemas.js';

const readFiles = (rule: string) =>
  ({ types: ['read_files'], rule, target: (request: { path: string }) => request.path }) as const;

const writeCheck = {
  types: ['edit_files', 'create_files'],
  rule: 'edit_files on path if the file exists, else create_files',
  target: (request: { path: string }) => request.path,
} as const;

export const hostReadFile = defineHostFunction({
  name: 'host_read_file',
  set: 'required',
  capability: 'files',
  summary: 'Read a workspace file as UTF-8 text.',
  request: pathRequest,
  success: { kind: 'text', schema: z.string(), description: 'the file text, raw (not JSON)' },
  failure: 'E',
  permission: readFiles('read_files on path'),
});

export const hostReadBinary = defineHostFunction({
  name: 'host_read_binary',
  set: 'extended',
  capability: 'files',
  summary: 'Read a workspace file as bytes.',
  request: pathRequest,
  success: { kind: 'json', schema: dataResponse, description: '`{data: base64}`' },
  failure: 'E',
  permission: readFiles('read_files on path'),
});

export const hostListFiles = defineHostFunction({
  name: 'host_list_files',
  set: 'required',
  capability: 'files',
  summary: 'List files and folders under a prefix, recursively.',
  request: z.object({
    prefix: z.string().default('').describe('Workspace-relative folder; "" is the root.'),
  }),
  success: { kind: 'json', schema: stringList, description: 'JSON array of workspace-relative paths' },
  failure: 'E',
  permission: { types: ['read_files'], rule: 'read_files on prefix', target: (request) => request.prefix },
});

export const hostListDir = defineHostFunction({
  name: 'host_list_dir',
  set: 'extended',
  capability: 'files',
  summary: 'List the direct children of a folder.',
  request: pathRequest,
  success: { kind: 'json', schema: stringList, description: 'JSON array of workspace-relative paths' },
  failure: 'E',
  permission: readFiles('read_files on path'),
});

export const hostFileExists = defineHostFunction({
  name: 'host_file_exists',
  set: 'required',
  capability: 'files',
  summary: 'Whether a workspace file exists.',
  request: pathRequest,
  success: { kind: 'text', schema: z.enum(['true', 'false']), description: '`true` or `false`' },
  failure: 'Q',
  quiet: 'false',
  permission: readFiles('read_files on path'),
});

/** The answer of `host_file_metadata`; size and time (ms since epoch) are null when the file is absent. */
export const fileMetadataResponse = z.object({
  exists: z.boolean(),
  size_bytes: z.number().int().nonnegative().nullable(),
  modified_at_ms: z.number().int().nullable(),
});

export const hostFileMetadata = defineHostFunction({
  name: 'host_file_metadata',
  set: 'extended',
  capability: 'files',
  summary: 'Size and modification time of a workspace file.',
  request: pathRequest,
  success: {
    kind: 'json',
    schema: fileMetadataResponse,
    description: '`{exists, size_bytes, modified_at_ms}`',
  },
  failure: 'Q',
  quiet: JSON.stringify({ exists: false, size_bytes: null, modified_at_ms: null }),
  permission: readFiles('read_files on path'),
});

export const hostHashFile = defineHostFunction({
  name: 'host_hash_file',
  set: 'extended',
  capability: 'files',
  summary: 'SHA-256 of a workspace file.',
  request: pathRequest,
  success: {
    kind: 'json',
    schema: z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/) }),
    description: '`{hash: sha256 hex}`',
  },
  failure: 'Q',
  quiet: '',
  permission: readFiles('read_files on path'),
});

export const hostWriteFile = defineHostFunction({
  name: 'host_write_file',
  set: 'required',
  capability: 'files',
  summary: 'Write UTF-8 text to a workspace file (atomically).',
  request: z.object({ path: pathField, content: z.string() }),
  success: { kind: 'text', schema: emptyText, description: '""' },
  failure: 'S',
  permission: writeCheck,
});

export const hostWriteBinary = defineHostFunction({
  name: 'host_write_binary',
  set: 'required',
  capability: 'files',
  summary: 'Write bytes to a workspace file (atomically).',
  request: z.object({ path: pathField, content: base64Field.describe('base64 bytes') }),
  success: { kind: 'text', schema: emptyText, description: '""' },
  failure: 'S',
  permission: writeCheck,
});

export const hostDeleteFile = defineHostFunction({
  name: 'host_delete_file',
  set: 'required',
  capability: 'files',
  summary: 'Delete a workspace file.',
  request: pathRequest,
  success: { kind: 'text', schema: emptyText, description: '""' },
  failure: 'S',
  permission: { types: ['delete_files'], rule: 'delete_files on path', target: (request) => request.path },
});

export const hostRequestFile = defineHostFunction({
  name: 'host_request_file',
  set: 'required',
  capability: 'basics',
  summary: 'Bytes of a file the embedding app supplied for this call.',
  request: z.object({ key: z.string() }),
  success: { kind: 'bytes', description: 'raw bytes (not base64); empty when no such file was supplied' },
  failure: 'none',
  quiet: '',
  permission: null,
});

export const hostWorkspaceFileSet = defineHostFunction({
  name: 'host_workspace_file_set',
  set: 'extended',
  capability: 'unsupported',
  summary: "Every file reachable from the workspace's root index (markdown and attachments).",
  request: null,
  success: { kind: 'json', schema: stringList, description: 'JSON array of workspace-relative paths' },
  failure: 'S',
  permission: {
    types: ['read_files'],
    rule: 'read_files on each listed path; paths the plugin may not read are left out',
    target: () => null,
  },
});
