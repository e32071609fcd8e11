import { describe, expect, it } from 'vitest';
import { getHostFunction, HOST_FUNCTIONS } from './catalogue.js';
import { notAvailableMessage, type HostFunctionSpec } from './define.js';
import { FAILURE_SHAPE_SCHEMAS, FAILURE_SHAPES, prefixMessage, renderFailure } from './failure-shapes.js';

const catalogue = HOST_FUNCTIONS as readonly HostFunctionSpec[];

describe('failureOutput renders each shape exactly', () => {
  it('E: {"error": message}', () => {
    expect(getHostFunction('host_read_file').failureOutput('permission denied')).toBe(
      '{"error":"host_read_file: permission denied"}',
    );
  });

  it('S: the bare message', () => {
    expect(getHostFunction('host_write_file').failureOutput('disk full')).toBe('host_write_file: disk full');
  });

  it('H: {status: 0, headers: {}, body, error}', () => {
    expect(JSON.parse(getHostFunction('host_http_request').failureOutput('timed out'))).toStrictEqual({
      status: 0,
      headers: {},
      body: 'host_http_request: timed out',
      error: 'host_http_request: timed out',
    });
  });

  it('P: {success: false, error}', () => {
    expect(getHostFunction('host_plugin_command').failureOutput('depth 9 exceeds 8')).toBe(
      '{"success":false,"error":"host_plugin_command: depth 9 exceeds 8"}',
    );
  });

  it('W: {exit_code: -1, stdout: "", stderr, error}', () => {
    expect(
      JSON.parse(getHostFunction('host_run_wasi_module').failureOutput('module not found')),
    ).toStrictEqual({
      exit_code: -1,
      stdout: '',
      stderr: 'host_run_wasi_module: module not found',
      error: 'host_run_wasi_module: module not found',
    });
  });

  it('O: {ok: false, error}', () => {
    expect(getHostFunction('host_ws_request').failureOutput('not connected')).toBe(
      '{"ok":false,"error":"host_ws_request: not connected"}',
    );
  });

  it('Q: the quiet answer, never the message', () => {
    expect(getHostFunction('host_file_exists').failureOutput('permission denied')).toBe('false');
    expect(getHostFunction('host_storage_get').failureOutput('permission denied')).toBe('');
  });

  it('none: the neutral value', () => {
    expect(getHostFunction('host_get_runtime_context').failureOutput('provider failed')).toBe('{}');
    expect(getHostFunction('host_request_file').failureOutput('x')).toBe('');
  });

  it('never double-prefixes a message that already names the function', () => {
    expect(getHostFunction('host_write_file').failureOutput('host_write_file: disk full')).toBe(
      'host_write_file: disk full',
    );
    expect(JSON.parse(getHostFunction('host_read_file').failureOutput('host_read_file: gone'))).toEqual({
      error: 'host_read_file: gone',
    });
  });

  it('prefixes a message that merely mentions another function', () => {
    expect(prefixMessage('host_write_file', 'host_write_binary: nope')).toBe(
      'host_write_file: host_write_binary: nope',
    );
    expect(prefixMessage('host_write_file', 'host_write_filex')).toBe('host_write_file: host_write_filex');
  });

  it('never answers an empty S failure (empty means success)', () => {
    expect(getHostFunction('host_delete_file').failureOutput('')).toBe('host_delete_file: failed');
    expect(getHostFunction('host_delete_file').failureOutput('   ')).toBe('host_delete_file: failed');
  });

  it('escapes messages into valid JSON', () => {
    const message = 'bad "path"\n\\ <tab>\t';
    expect(JSON.parse(getHostFunction('host_list_files').failureOutput(message))).toEqual({
      error: `host_list_files: ${message}`,
    });
  });
});

describe('renderFailure', () => {
  it('covers every shape', () => {
    const out = FAILURE_SHAPES.map((shape) => renderFailure(shape, 'host_x', 'm', 'QUIET'));
    expect(out).toEqual([
      '{"error":"host_x: m"}',
      'host_x: m',
      'QUIET',
      '{"status":0,"headers":{},"body":"host_x: m","error":"host_x: m"}',
      '{"success":false,"error":"host_x: m"}',
      '{"exit_code":-1,"stdout":"","stderr":"host_x: m","error":"host_x: m"}',
      '{"ok":false,"error":"host_x: m"}',
      'QUIET',
    ]);
  });
});

/** The deliberate "absent" answer of every Q and none function (PROTOCOL.md section 4 and Diaryx). */
const QUIET_ANSWERS: Record<string, string> = {
  host_file_exists: 'false',
  host_storage_get: '',
  host_request_file: '',
  host_get_runtime_context: '{}',
  host_get_timestamp: '0',
  host_get_now: '',
  host_file_metadata: '{"exists":false,"size_bytes":null,"modified_at_ms":null}',
  host_hash_file: '',
  host_secret_get: '',
  host_is_cancelled: '{"cancelled":false}',
};

describe('quiet answers', () => {
  it('are pinned for exactly the Q and none functions', () => {
    const quietFunctions = catalogue
      .filter((f) => f.failure === 'Q' || f.failure === 'none')
      .map((f) => f.name);
    expect(quietFunctions.sort()).toEqual(Object.keys(QUIET_ANSWERS).sort());
    for (const name of quietFunctions) expect(getHostFunction(name)?.quiet, name).toBe(QUIET_ANSWERS[name]);
  });

  it('are either "" or a valid success answer', () => {
    for (const f of catalogue.filter((entry) => entry.quiet !== '')) {
      if (f.success.kind === 'json')
        expect(f.success.schema.safeParse(JSON.parse(f.quiet)).success, f.name).toBe(true);
      else if (f.success.kind === 'text')
        expect(f.success.schema.safeParse(f.quiet).success, f.name).toBe(true);
      else throw new Error(`${f.name}: raw-bytes function with a non-empty quiet answer`);
    }
  });

  it('are "" for functions whose failure is loud', () => {
    for (const f of catalogue.filter((entry) => entry.failure !== 'Q' && entry.failure !== 'none'))
      expect(f.quiet, f.name).toBe('');
  });
});

describe('notAvailableOutput', () => {
  it.each(catalogue.map((f) => [f.name, f] as const))(
    '%s answers "not available" in its failure shape',
    (name, f) => {
      const output = f.notAvailableOutput();
      const message = notAvailableMessage(name);
      expect(message).toBe(`${name}: not available on this host`);
      switch (f.failure) {
        case 'Q':
        case 'none':
          expect(output).toBe(f.quiet);
          return;
        case 'S':
          expect(FAILURE_SHAPE_SCHEMAS.S.parse(output)).toBe(message);
          return;
        default: {
          const parsed = FAILURE_SHAPE_SCHEMAS[f.failure].parse(JSON.parse(output)) as { error: string };
          expect(parsed.error).toBe(message);
          expect(output).toContain('not available');
        }
      }
    },
  );
});
