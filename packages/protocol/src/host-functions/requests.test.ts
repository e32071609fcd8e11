import { describe, expect, it } from 'vitest';
import { getHostFunction, HOST_FUNCTIONS } from './catalogue.js';
import type { HostFunctionSpec } from './define.js';
import { FAILURE_SHAPE_SCHEMAS } from './failure-shapes.js';
import { NAMESPACE_WIDE_TARGET } from './namespaces.js';

const catalogue = HOST_FUNCTIONS as readonly HostFunctionSpec[];
const withRequest = catalogue.filter((f) => f.request !== null);
const ignoringInput = catalogue.filter((f) => f.request === null);

/** Decodes a request that must be valid, then derives its permission target. */
function targetOf(name: string, request: unknown): string | null {
  const f = getHostFunction(name) as HostFunctionSpec | undefined;
  if (!f?.permission) throw new Error(`${name} has no permission check`);
  const decoded = f.decodeRequest(JSON.stringify(request));
  if (!decoded.ok) throw decoded.error;
  return f.permission.target(decoded.value);
}

describe('decodeRequest', () => {
  it.each(withRequest.map((f) => [f.name, f] as const))(
    '%s answers invalid_json for malformed JSON, never a throw',
    (name, f) => {
      for (const text of ['{', '', 'undefined', '{"path": }', '\u0000']) {
        const result = f.decodeRequest(text);
        if (result.ok) throw new Error(`${name} accepted ${JSON.stringify(text)}`);
        expect(result.error.code).toBe('invalid_json');
        expect(result.error.payload).toBe(`${name} request`);
      }
    },
  );

  it.each(ignoringInput.map((f) => [f.name, f] as const))(
    '%s ignores its input, even garbage',
    (_name, f) => {
      for (const text of ['', '{}', 'garbage', '[1,2]'])
        expect(f.decodeRequest(text)).toEqual({ ok: true, value: {}, warnings: [] });
    },
  );

  it('rejects a missing required field with its path, and the message fits the failure shape', () => {
    const f = getHostFunction('host_read_file');
    const result = f.decodeRequest('{}');
    if (result.ok) throw new Error('expected a failure');
    expect(result.error.path).toEqual(['path']);
    expect(result.error.message).toBe(
      'Invalid host_read_file request: at path: is required (expected string)',
    );
    expect(JSON.parse(f.failureOutput(result.error.message))).toEqual({
      error: `host_read_file: ${result.error.message}`,
    });
  });

  it('fills request defaults', () => {
    expect(getHostFunction('host_list_files').decodeRequest('{}')).toMatchObject({
      ok: true,
      value: { prefix: '' },
    });
    expect(getHostFunction('host_log').decodeRequest('{"message":"hi"}')).toMatchObject({
      ok: true,
      value: { level: 'info', message: 'hi' },
    });
    expect(getHostFunction('host_http_request').decodeRequest('{"url":"https://a.example"}')).toMatchObject({
      ok: true,
      value: { url: 'https://a.example', method: 'GET', headers: {} },
    });
    expect(
      getHostFunction('host_plugin_command').decodeRequest('{"plugin_id":"a.b","command":"C"}'),
    ).toMatchObject({
      ok: true,
      value: { params: null },
    });
    expect(getHostFunction('host_run_wasi_module').decodeRequest('{"module_key":"m"}')).toMatchObject({
      ok: true,
      value: { args: [] },
    });
  });

  it('accepts any JSON for host_emit_event', () => {
    for (const text of ['{"event_type":"x","payload":1}', '[1]', '"s"', 'null'])
      expect(getHostFunction('host_emit_event').decodeRequest(text).ok).toBe(true);
  });

  it('decodes each host_ws_request variant and rejects an unknown type', () => {
    const ws = getHostFunction('host_ws_request');
    for (const request of [
      { type: 'connect', server_url: 'wss://sync.example.com', workspace_id: 'w', auth_token: 't' },
      { type: 'send_binary', data: 'AAEC' },
      { type: 'send_text', text: 'hello' },
      { type: 'disconnect' },
    ]) {
      expect(ws.decodeRequest(JSON.stringify(request))).toEqual({ ok: true, value: request, warnings: [] });
    }
    const bad = ws.decodeRequest('{"type":"reconnect"}');
    expect(bad.ok || bad.error.path).toEqual(['type']);
  });
});

describe('base64 fields', () => {
  it.each([
    ['host_write_binary', { path: 'a.bin' }, 'content'],
    ['host_storage_set', { key: 'k' }, 'data'],
    ['host_namespace_put_object', { ns_id: 'n', key: 'k', mime_type: 'text/plain' }, 'body_base64'],
    ['host_http_request', { url: 'https://a.example' }, 'body_base64'],
  ])('%s rejects bad base64 in %s with a message saying base64', (name, rest, field) => {
    const f = getHostFunction(name) as HostFunctionSpec;
    for (const bad of ['%%%', 'abc', 'aGVsbG8', 'aGVs bG8=']) {
      const result = f.decodeRequest(JSON.stringify({ ...rest, [field]: bad }));
      if (result.ok) throw new Error(`${name} accepted ${bad}`);
      expect(result.error.code).toBe('invalid_payload');
      expect(result.error.path).toEqual([field]);
      expect(result.error.message).toMatch(/base64/);
    }
    expect(f.decodeRequest(JSON.stringify({ ...rest, [field]: 'aGVsbG8=' })).ok).toBe(true);
  });

  it('accepts empty base64: empty data deletes a storage key, and an empty file is a file', () => {
    expect(getHostFunction('host_storage_set').decodeRequest('{"key":"k","data":""}')).toEqual({
      ok: true,
      value: { key: 'k', data: '' },
      warnings: [],
    });
    expect(getHostFunction('host_write_binary').decodeRequest('{"path":"e.bin","content":""}').ok).toBe(true);
  });

  it('rejects bad base64 in nested WASI input files at their path', () => {
    const result = getHostFunction('host_run_wasi_module').decodeRequest(
      '{"module_key":"m","files":{"in.txt":"!!"}}',
    );
    expect(result.ok || result.error.path).toEqual(['files', 'in.txt']);
  });
});

describe('permission targets', () => {
  it('write_file and write_binary target the path, checking edit_files or create_files', () => {
    expect(targetOf('host_write_file', { path: 'Daily/2026-03-02.md', content: '# hi' })).toBe(
      'Daily/2026-03-02.md',
    );
    expect(targetOf('host_write_binary', { path: 'img/a.png', content: '' })).toBe('img/a.png');
    expect(getHostFunction('host_write_file').permission?.types).toEqual(['edit_files', 'create_files']);
  });

  it('read functions target the path or prefix', () => {
    expect(targetOf('host_read_file', { path: 'README.md' })).toBe('README.md');
    expect(targetOf('host_list_files', { prefix: 'Daily' })).toBe('Daily');
    expect(targetOf('host_list_files', {})).toBe('');
    expect(targetOf('host_delete_file', { path: 'x.md' })).toBe('x.md');
  });

  it('plugin_command targets "<plugin_id>:<command>"', () => {
    expect(
      targetOf('host_plugin_command', { plugin_id: 'diaryx.sync', command: 'Status', params: { a: 1 } }),
    ).toBe('diaryx.sync:Status');
  });

  it('ws_request checks the server URL on connect only', () => {
    expect(
      targetOf('host_ws_request', {
        type: 'connect',
        server_url: 'wss://sync.example.com/ws',
        workspace_id: 'w',
      }),
    ).toBe('wss://sync.example.com/ws');
    expect(targetOf('host_ws_request', { type: 'send_text', text: 'x' })).toBeNull();
    expect(targetOf('host_ws_request', { type: 'send_binary', data: 'AA==' })).toBeNull();
    expect(targetOf('host_ws_request', { type: 'disconnect' })).toBeNull();
  });

  it('http_request targets the full URL', () => {
    const url = 'https://api.example.com:8443/v1/items?q=a#frag';
    expect(targetOf('host_http_request', { url, method: 'POST' })).toBe(url);
  });

  it('namespace objects target "ns_id/key"; namespace-wide calls target "*"', () => {
    expect(
      targetOf('host_namespace_put_object', {
        ns_id: 'ns1',
        key: 'posts/a.html',
        body_base64: 'AA==',
        mime_type: 'text/html',
      }),
    ).toBe('ns1/posts/a.html');
    expect(targetOf('host_namespace_get_object', { ns_id: 'ns1', key: 'k' })).toBe('ns1/k');
    expect(targetOf('host_namespace_delete_object', { ns_id: 'ns1', key: 'k' })).toBe('ns1/k');
    expect(targetOf('host_namespace_list_objects', { ns_id: 'ns1', prefix: 'posts/' })).toBe('ns1/posts/');
    expect(targetOf('host_namespace_list_objects', { ns_id: 'ns1' })).toBe('ns1');
    expect(targetOf('host_namespace_create', {})).toBe(NAMESPACE_WIDE_TARGET);
    expect(getHostFunction('host_namespace_list').permission?.target({})).toBe('*');
  });

  it('storage, secrets and WASI modules target the key', () => {
    expect(targetOf('host_storage_get', { key: 'template' })).toBe('template');
    expect(targetOf('host_storage_set', { key: 'template', data: '' })).toBe('template');
    expect(targetOf('host_secret_set', { key: 'api', value: 's3cret' })).toBe('api');
    expect(targetOf('host_run_wasi_module', { module_key: 'pandoc.wasm' })).toBe('pandoc.wasm');
  });

  it('rejects an empty storage key before any target is derived', () => {
    const result = getHostFunction('host_storage_get').decodeRequest('{"key":""}');
    expect(result.ok || result.error.message).toMatch(/key must be a non-empty string/);
  });

  it('a decode failure of any function renders as a valid failure of its shape', () => {
    for (const f of withRequest) {
      const result = f.decodeRequest('{');
      if (result.ok) continue;
      const out = f.failureOutput(result.error.message);
      if (f.failure === 'Q' || f.failure === 'none') expect(out).toBe(f.quiet);
      else if (f.failure === 'S') expect(out.startsWith(`${f.name}: `)).toBe(true);
      else expect(FAILURE_SHAPE_SCHEMAS[f.failure].safeParse(JSON.parse(out)).success, f.name).toBe(true);
    }
  });
});
