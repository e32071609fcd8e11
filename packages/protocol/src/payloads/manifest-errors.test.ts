import { describe, expect, it } from 'vitest';
import { manifestWith } from '../__fixtures__/manifests.js';
import { rejected } from '../__fixtures__/results.js';
import type { ProtocolErrorCode } from '../errors/protocol-error.js';
import { decodeGuestManifest, parseGuestManifest } from './all.js';

interface BadCase {
  title: string;
  overrides: Record<string, unknown>;
  code: ProtocolErrorCode;
  path: (string | number)[];
  message: RegExp;
}

const badCases: BadCase[] = [
  {
    title: 'protocol_version 2',
    overrides: { protocol_version: 2 },
    code: 'unsupported_protocol_version',
    path: ['protocol_version'],
    message: /protocol_version 2 is not supported: this host speaks protocol version 1/,
  },
  {
    title: 'protocol_version 0',
    overrides: { protocol_version: 0 },
    code: 'unsupported_protocol_version',
    path: ['protocol_version'],
    message: /protocol_version 0 is not supported.*version 1/,
  },
  {
    title: 'fractional protocol_version',
    overrides: { protocol_version: 1.5 },
    code: 'unsupported_protocol_version',
    path: ['protocol_version'],
    message: /whole number/,
  },
  {
    title: 'uppercase id',
    overrides: { id: 'Acme.WordCount' },
    code: 'invalid_plugin_id',
    path: ['id'],
    message: /lowercase.*"acme\.word-count".*got "Acme\.WordCount"/,
  },
  {
    title: 'one-segment id',
    overrides: { id: 'wordcount' },
    code: 'invalid_plugin_id',
    path: ['id'],
    message: /at least two segments/,
  },
  {
    title: 'id with ..',
    overrides: { id: 'acme..x' },
    code: 'invalid_plugin_id',
    path: ['id'],
    message: /got "acme\.\.x"/,
  },
  {
    title: 'id with a slash',
    overrides: { id: 'acme/x.y' },
    code: 'invalid_plugin_id',
    path: ['id'],
    message: /got "acme\/x\.y"/,
  },
  {
    title: 'id of ../../etc',
    overrides: { id: '../../etc' },
    code: 'invalid_plugin_id',
    path: ['id'],
    message: /segments/,
  },
  {
    title: 'id with a leading dash segment',
    overrides: { id: 'acme.-x' },
    code: 'invalid_plugin_id',
    path: ['id'],
    message: /segments/,
  },
  {
    title: 'too long id',
    overrides: { id: `acme.${'a'.repeat(124)}` },
    code: 'invalid_plugin_id',
    path: ['id'],
    message: /at most 128 characters/,
  },
  {
    title: 'version "1.0"',
    overrides: { version: '1.0' },
    code: 'invalid_version',
    path: ['version'],
    message: /version must be a semantic version such as "1\.2\.3" \(got "1\.0"\)/,
  },
  {
    title: 'version "v1.0.0"',
    overrides: { version: 'v1.0.0' },
    code: 'invalid_version',
    path: ['version'],
    message: /semantic version.*got "v1\.0\.0"/,
  },
  {
    title: 'version with a leading zero',
    overrides: { version: '01.0.0' },
    code: 'invalid_version',
    path: ['version'],
    message: /semantic version/,
  },
  {
    title: 'min_app_version "1.4"',
    overrides: { min_app_version: '1.4' },
    code: 'invalid_min_app_version',
    path: ['min_app_version'],
    message: /min_app_version must be a semantic version.*got "1\.4"/,
  },
  {
    title: 'min_app_version ">=1.0.0"',
    overrides: { min_app_version: '>=1.0.0' },
    code: 'invalid_min_app_version',
    path: ['min_app_version'],
    message: /min_app_version must be a semantic version/,
  },
  {
    title: 'missing name',
    overrides: { name: undefined },
    code: 'invalid_payload',
    path: ['name'],
    message: /at name: is required/,
  },
  {
    title: 'missing capabilities',
    overrides: { capabilities: undefined },
    code: 'invalid_payload',
    path: ['capabilities'],
    message: /at capabilities: is required \(expected array\)/,
  },
  {
    title: 'missing id',
    overrides: { id: undefined },
    code: 'invalid_payload',
    path: ['id'],
    message: /at id: is required/,
  },
  {
    title: 'name of the wrong type',
    overrides: { name: 42 },
    code: 'invalid_payload',
    path: ['name'],
    message: /expected string, got number 42/,
  },
  {
    title: 'capabilities as a string',
    overrides: { capabilities: 'file_events' },
    code: 'invalid_payload',
    path: ['capabilities'],
    message: /expected array, got a string/,
  },
  {
    title: 'a non-string command',
    overrides: { commands: ['ok', 3] },
    code: 'invalid_payload',
    path: ['commands', 1],
    message: /at commands\[1\]: expected string/,
  },
  {
    title: 'ui as an object',
    overrides: { ui: { slot: 'SidebarTab' } },
    code: 'invalid_payload',
    path: ['ui'],
    message: /expected array, got an object/,
  },
  {
    title: 'server function missing its path',
    overrides: { server_functions: [{ name: 'a', method: 'GET', description: 'd' }] },
    code: 'invalid_payload',
    path: ['server_functions', 0, 'path'],
    message: /server_functions\[0\]\.path: is required/,
  },
  {
    title: 'requested_permissions.reasons with a non-string',
    overrides: { requested_permissions: { reasons: { read_files: 1 } } },
    code: 'invalid_payload',
    path: ['requested_permissions', 'reasons', 'read_files'],
    message: /requested_permissions\.reasons\.read_files/,
  },
];

describe('GuestManifest: bad input', () => {
  it.each(badCases)('$title → $code at $path', ({ overrides, code, path, message }) => {
    const error = rejected(parseGuestManifest(manifestWith(overrides)));
    expect(error.code).toBe(code);
    expect(error.path).toEqual(path);
    expect(error.payload).toBe('GuestManifest');
    expect(error.message).toMatch(/^Invalid GuestManifest: at /);
    expect(error.message).toMatch(message);
  });

  it('rejects invalid JSON text with invalid_json and a preview of the text', () => {
    const error = rejected(decodeGuestManifest('{"id": "acme.x",'));
    expect(error.code).toBe('invalid_json');
    expect(error.path).toEqual([]);
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.message).toContain('{\\"id\\": \\"acme.x\\",');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects an empty manifest output as invalid_json', () => {
    expect(rejected(decodeGuestManifest('')).code).toBe('invalid_json');
  });

  it.each([
    ['an array', [], /expected object, got an array/],
    ['null', null, /expected object, got null/],
    ['a string', 'acme.x', /expected object, got a string/],
    ['a number', 1, /expected object, got number 1/],
  ])('rejects %s at the root', (_title, value, message) => {
    const error = rejected(parseGuestManifest(value));
    expect(error.code).toBe('invalid_payload');
    expect(error.path).toEqual([]);
    expect(error.message).toMatch(/at \(root\)/);
    expect(error.message).toMatch(message);
  });

  it('lists every issue, not just the first', () => {
    const error = rejected(parseGuestManifest({ id: 'acme.x' }));
    expect(error.issues.map((issue) => issue.path[0])).toEqual([
      'name',
      'version',
      'description',
      'capabilities',
    ]);
    expect(error.code).toBe('invalid_payload');
  });
});
