import { z } from 'zod';
import { defineHostFunction } from './define.js';
import { base64Field, dataResponse, emptyText, keyRequest } from './shared-schemas.js';

const storageCheck = (rule: string) =>
  ({ types: ['plugin_storage'], rule, target: (request: { key: string }) => request.key }) as const;

export const hostStorageGet = defineHostFunction({
  name: 'host_storage_get',
  set: 'required',
  capability: 'storage',
  summary: "Read a value from the plugin's own storage.",
  request: keyRequest,
  success: { kind: 'json', schema: dataResponse, description: '`{data: base64}`, or `""` when absent' },
  failure: 'Q',
  quiet: '',
  permission: storageCheck('plugin_storage on key'),
});

export const hostStorageSet = defineHostFunction({
  name: 'host_storage_set',
  set: 'required',
  capability: 'storage',
  summary: "Write a value to the plugin's own storage; empty data deletes the key.",
  request: z.object({ key: keyRequest.shape.key, data: base64Field.describe('base64 value; "" deletes') }),
  success: { kind: 'text', schema: emptyText, description: '""' },
  failure: 'S',
  permission: storageCheck('plugin_storage on key; the value may be at most the quota'),
});

export const hostSecretGet = defineHostFunction({
  name: 'host_secret_get',
  set: 'extended',
  capability: 'secrets',
  secret: true,
  summary: "Read one of the plugin's secrets.",
  request: keyRequest,
  success: {
    kind: 'json',
    schema: z.object({ value: z.string() }),
    description: '`{value}`, or `""` when absent',
  },
  failure: 'Q',
  quiet: '',
  permission: storageCheck('plugin_storage on key'),
});

export const hostSecretSet = defineHostFunction({
  name: 'host_secret_set',
  set: 'extended',
  capability: 'secrets',
  secret: true,
  summary: 'Store a secret for the plugin; never exposed through config, env, context or logs.',
  request: z.object({ key: keyRequest.shape.key, value: z.string() }),
  success: { kind: 'text', schema: emptyText, description: '""' },
  failure: 'S',
  permission: storageCheck('plugin_storage on key'),
});

export const hostSecretDelete = defineHostFunction({
  name: 'host_secret_delete',
  set: 'extended',
  capability: 'secrets',
  summary: 'Delete one of the plugin secrets.',
  request: keyRequest,
  success: { kind: 'text', schema: emptyText, description: '""' },
  failure: 'S',
  permission: storageCheck('plugin_storage on key'),
});
