import { describe, expect, it } from 'vitest';
import { PLINTH_ERROR_CODES, PlinthError, PROTOCOL_ERROR_CODES } from './plinth-error.js';
import { formatPath, ProtocolError } from './protocol-error.js';

const issue = (path: (string | number)[], message: string) => ({ path, message });

describe('formatPath', () => {
  it.each<[(string | number)[], string]>([
    [[], '(root)'],
    [['name'], 'name'],
    [['requested_permissions', 'defaults', 'read_files'], 'requested_permissions.defaults.read_files'],
    [['commands', 2], 'commands[2]'],
    [['cli', 0, 'args', 1, 'name'], 'cli[0].args[1].name'],
    [[0], '[0]'],
    [[0, 'x'], '[0].x'],
    [['plugins', 'acme.word-count', 'permissions'], 'plugins["acme.word-count"].permissions'],
    [['a-b'], '["a-b"]'],
    [['files', 'Daily/2026.md'], 'files["Daily/2026.md"]'],
    [['x', ''], 'x[""]'],
    [['x', '1st'], 'x["1st"]'],
    [['x', 'say "hi"'], 'x["say \\"hi\\""]'],
    [['_private', 'Camel9'], '_private.Camel9'],
  ])('%j → %s', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});

describe('ProtocolError', () => {
  const error = new ProtocolError('invalid_version', {
    payload: 'GuestManifest',
    issues: [
      issue(['version'], 'version must be a semantic version'),
      issue(['cli', 0, 'name'], 'is required'),
    ],
    pluginId: 'acme.x',
  });

  it('is a PlinthError and an Error', () => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(PlinthError);
    expect(PlinthError.isInstance(error)).toBe(true);
    expect(ProtocolError.isInstance(error)).toBe(true);
    expect(error.name).toBe('ProtocolError');
  });

  it('carries code, payload name, issues, path and context', () => {
    expect(error.code).toBe('invalid_version');
    expect(error.payload).toBe('GuestManifest');
    expect(error.issues).toHaveLength(2);
    expect(error.path).toEqual(['version']);
    expect(error.context).toEqual({ pluginId: 'acme.x' });
  });

  it('renders every issue with its formatted path', () => {
    expect(error.message).toBe(
      'Invalid GuestManifest: at version: version must be a semantic version; at cli[0].name: is required',
    );
  });

  it('has an empty path and a plain message without issues', () => {
    const bare = new ProtocolError('invalid_payload', { payload: 'Policy', issues: [] });
    expect(bare.path).toEqual([]);
    expect(bare.message).toBe('Invalid Policy');
  });

  it('shows the first five issues and counts the rest', () => {
    const issues = Array.from({ length: 7 }, (_, i) => issue(['commands', i], 'expected string'));
    const many = new ProtocolError('invalid_payload', { payload: 'GuestManifest', issues });
    expect(many.message).toContain('at commands[4]');
    expect(many.message).not.toContain('at commands[5]');
    expect(many.message).toMatch(/; and 2 more$/);
  });

  it('keeps the cause', () => {
    const cause = new SyntaxError('Unexpected token');
    const withCause = new ProtocolError('invalid_json', {
      payload: 'GuestManifest',
      issues: [issue([], 'bad')],
      cause,
    });
    expect(withCause.cause).toBe(cause);
    expect(withCause.context).toEqual({});
    expect(new ProtocolError('invalid_json', { payload: 'X', issues: [] })).not.toHaveProperty('cause');
  });

  it('recognises errors by marker across copies, and tells PlinthError from ProtocolError', () => {
    const foreign = Object.assign(Object.create(null) as object, {
      [Symbol.for('plinth.error')]: true,
      [Symbol.for('plinth.protocol-error')]: true,
    });
    expect(ProtocolError.isInstance(foreign)).toBe(true);
    expect(PlinthError.isInstance(foreign)).toBe(true);
    const base = new PlinthError('invalid_json', 'x');
    expect(PlinthError.isInstance(base)).toBe(true);
    expect(ProtocolError.isInstance(base)).toBe(false);
    for (const value of [new Error('x'), null, undefined, 'ProtocolError', { code: 'invalid_json' }]) {
      expect(PlinthError.isInstance(value)).toBe(false);
      expect(ProtocolError.isInstance(value)).toBe(false);
    }
  });

  it('has every protocol code in the closed PlinthError code union', () => {
    for (const code of PROTOCOL_ERROR_CODES) expect(PLINTH_ERROR_CODES).toContain(code);
    expect(new Set(PLINTH_ERROR_CODES).size).toBe(PLINTH_ERROR_CODES.length);
  });
});
