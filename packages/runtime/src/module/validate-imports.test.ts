import { HOST_FUNCTION_NAMES } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import type { WasmImport } from './wasm-reader.js';
import { validateImports } from './validate-imports.js';

const fn = (module: string, name: string): WasmImport => ({ module, name, kind: 'func' });
const validate = (imports: WasmImport[], policy = {}) => validateImports({ imports }, policy);

describe('validateImports', () => {
  it('allows any function from the Extism kernel', () => {
    expect(validate([fn('extism:host/env', 'alloc'), fn('extism:host/env', 'anything_at_all')])).toEqual({
      ok: true,
      problems: [],
    });
  });

  it('allows every catalogue host function by default', () => {
    expect(validate(HOST_FUNCTION_NAMES.map((name) => fn('extism:host/user', name))).ok).toBe(true);
  });

  it('allows only the host functions the policy lists', () => {
    const result = validate(
      [fn('extism:host/user', 'host_log'), fn('extism:host/user', 'host_http_request')],
      {
        hostFunctions: ['host_log'],
      },
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          code: 'import_not_allowed',
          reason: 'unknown_host_function',
          module: 'extism:host/user',
          name: 'host_http_request',
          kind: 'func',
          message:
            'The module imports function "host_http_request" from "extism:host/user": this host does not provide that host function',
        },
      ],
    });
  });

  it('names a function no catalogue defines', () => {
    expect(validate([fn('extism:host/user', 'host_format_disk')]).problems).toEqual([
      {
        code: 'import_not_allowed',
        reason: 'unknown_host_function',
        module: 'extism:host/user',
        name: 'host_format_disk',
        kind: 'func',
        message:
          'The module imports function "host_format_disk" from "extism:host/user": no such host function exists in the Plinth catalogue',
      },
    ]);
  });

  it('allows WASI only when the policy enables it', () => {
    const imports = [fn('wasi_snapshot_preview1', 'fd_write')];
    expect(validate(imports, { allowWasi: true })).toEqual({ ok: true, problems: [] });
    expect(validate(imports).problems).toEqual([
      {
        code: 'import_not_allowed',
        reason: 'forbidden_namespace',
        module: 'wasi_snapshot_preview1',
        name: 'fd_write',
        kind: 'func',
        message:
          'The module imports function "fd_write" from "wasi_snapshot_preview1": WASI is not enabled for this plugin',
      },
    ]);
  });

  it('forbids every other namespace, including env and the empty one', () => {
    const result = validate([fn('env', 'abort'), fn('', 'x'), fn('extism:host/user2', 'host_log')]);
    expect(result.problems.map((problem) => [problem.module, problem.reason])).toEqual([
      ['env', 'forbidden_namespace'],
      ['', 'forbidden_namespace'],
      ['extism:host/user2', 'forbidden_namespace'],
    ]);
    expect(result.problems[0]?.message).toBe(
      'The module imports function "abort" from "env": no host provides the namespace "env" (only extism:host/env, extism:host/user and, when enabled, wasi_snapshot_preview1)',
    );
  });

  it('forbids non-function imports, even from allowed namespaces', () => {
    const limits = { min: 1, max: undefined, shared: false, memory64: false };
    const result = validate(
      [
        { module: 'extism:host/env', name: 'memory', kind: 'memory', limits },
        { module: 'env', name: 'table', kind: 'table', limits },
        { module: 'extism:host/user', name: 'host_log', kind: 'global' },
        { module: 'wasi_snapshot_preview1', name: 'tag', kind: 'tag' },
      ],
      { allowWasi: true },
    );
    expect(result.problems.map((problem) => [problem.kind, problem.reason, problem.message])).toEqual([
      [
        'memory',
        'not_a_function',
        'The module imports memory "memory" from "extism:host/env": plugins may import only functions, not a memory',
      ],
      [
        'table',
        'not_a_function',
        'The module imports table "table" from "env": plugins may import only functions, not a table',
      ],
      [
        'global',
        'not_a_function',
        'The module imports global "host_log" from "extism:host/user": plugins may import only functions, not a global',
      ],
      [
        'tag',
        'not_a_function',
        'The module imports tag "tag" from "wasi_snapshot_preview1": plugins may import only functions, not a tag',
      ],
    ]);
  });

  it('returns every problem, in import order', () => {
    const result = validate([
      fn('env', 'abort'),
      fn('extism:host/env', 'alloc'),
      fn('extism:host/user', 'nope'),
      fn('wasi_snapshot_preview1', 'proc_exit'),
    ]);
    expect(result.problems.map((problem) => problem.name)).toEqual(['abort', 'nope', 'proc_exit']);
  });
});
