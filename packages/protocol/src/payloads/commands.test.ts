import { describe, expect, it } from 'vitest';
import { decodeCommandResponse, parseCommandResponse } from './all.js';
import { commandRequestPayload, TYPED_COMMAND_ERROR_CODES } from './commands.js';
import { initContextPayload } from './init-context.js';

describe('CommandRequest', () => {
  it('defaults params to null when absent', () => {
    const result = commandRequestPayload.decode('{"command":"OpenToday"}');
    expect(result).toEqual({ ok: true, value: { command: 'OpenToday', params: null }, warnings: [] });
  });

  it('keeps explicit null and any JSON params', () => {
    expect(commandRequestPayload.parse({ command: 'A', params: null })).toMatchObject({
      ok: true,
      value: { params: null },
    });
    const params = { date: '2026-03-02', tags: ['a'], n: 1.5, deep: { ok: true } };
    expect(commandRequestPayload.parse({ command: 'A', params })).toMatchObject({
      ok: true,
      value: { command: 'A', params },
    });
  });

  it.each([
    [{ params: {} }, ['command'], /is required/],
    [{ command: '' }, ['command'], /command must be a non-empty string/],
    [{ command: 7 }, ['command'], /expected string, got number 7/],
  ])('rejects %j', (input, path, message) => {
    const result = commandRequestPayload.parse(input);
    if (result.ok) throw new Error('expected a rejection');
    expect(result.error.code).toBe('invalid_payload');
    expect(result.error.path).toEqual(path);
    expect(result.error.message).toMatch(message);
  });
});

describe('CommandResponse', () => {
  it('accepts a success with data', () => {
    const wire =
      '{"success":true,"data":{"__diaryx_cli_action":"open_entry","path":"Daily/2026-03-02.md","created":true}}';
    expect(decodeCommandResponse(wire)).toEqual({ ok: true, value: JSON.parse(wire), warnings: [] });
  });

  it('accepts a failure with a typed error code', () => {
    const value = { success: false, error: 'Permission denied', error_code: 'permission_denied' };
    expect(parseCommandResponse(value)).toEqual({ ok: true, value, warnings: [] });
    expect(TYPED_COMMAND_ERROR_CODES).toEqual(['permission_denied', 'config_error']);
  });

  it('accepts a bare {success}', () => {
    expect(parseCommandResponse({ success: true })).toEqual({
      ok: true,
      value: { success: true },
      warnings: [],
    });
  });

  it.each([
    [{}, ['success'], /is required \(expected boolean\)/],
    [{ success: 'true' }, ['success'], /expected boolean, got a string/],
    [{ success: false, error: 404 }, ['error'], /expected string/],
    [{ success: false, error_code: null }, ['error_code'], /expected string, got null/],
  ])('rejects %j', (input, path, message) => {
    const result = parseCommandResponse(input);
    if (result.ok) throw new Error('expected a rejection');
    expect(result.error.path).toEqual(path);
    expect(result.error.message).toMatch(message);
  });

  it('answers invalid_json for output that does not parse', () => {
    const result = decodeCommandResponse('not json');
    expect(result.ok || result.error.code).toBe('invalid_json');
  });
});

describe('InitContext', () => {
  it('keeps host-supplied extra keys', () => {
    const value = {
      workspace_root: '/w',
      workspace_id: 'ws-1',
      server_url: 'https://sync.example.com',
      theme: 'dark',
      n: 2,
    };
    expect(initContextPayload.parse(value)).toEqual({ ok: true, value, warnings: [] });
  });

  it('accepts a null workspace_root', () => {
    expect(initContextPayload.decode('{"workspace_root":null}')).toEqual({
      ok: true,
      value: { workspace_root: null },
      warnings: [],
    });
  });

  it('rejects a workspace_root of the wrong type and a mistyped known key', () => {
    const bad = initContextPayload.parse({ workspace_root: 3 });
    expect(bad.ok || bad.error.path).toEqual(['workspace_root']);
    const badId = initContextPayload.parse({ workspace_root: null, workspace_id: 9 });
    expect(badId.ok || badId.error.path).toEqual(['workspace_id']);
  });
});
