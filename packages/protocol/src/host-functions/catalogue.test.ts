import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PERMISSION_TYPES } from '../permissions.js';
import {
  getHostFunction,
  HOST_FUNCTION_NAMES,
  HOST_FUNCTION_NAMESPACE,
  HOST_FUNCTIONS,
  isHostFunctionName,
} from './catalogue.js';
import type { HostFunctionSpec } from './define.js';
import type { FailureShape } from './failure-shapes.js';

/** The wire contract's host-function tables (kept in the repo), read so the catalogue can never drift from them. */
const protocolPath = fileURLToPath(
  new URL('./__fixtures__/wire-contract-host-functions.md', import.meta.url),
);
if (!existsSync(protocolPath)) {
  throw new Error(`${protocolPath} is missing: the catalogue cannot be checked against the wire contract`);
}
const protocol = readFileSync(protocolPath, 'utf8');

interface RequiredRow {
  name: string;
  input: string;
  fail: FailureShape;
  permission: string;
}

function section(start: string, end: string): string {
  const from = protocol.indexOf(start);
  const to = protocol.indexOf(end, from);
  if (from === -1 || to === -1)
    throw new Error(`the wire contract has no section between ${start} and ${end}`);
  return protocol.slice(from, to);
}

function failLetter(cell: string): FailureShape {
  if (cell === '—') return 'none';
  if (/^`\{"ok": false, error\}`$/.test(cell)) return 'O';
  if (/^[ESQHPW]$/.test(cell)) return cell as FailureShape;
  throw new Error(`unrecognised Fail cell in the wire contract: ${cell}`);
}

const requiredRows: RequiredRow[] = section('**Required set**', '**Extended set**')
  .split('\n')
  .filter((line) => line.startsWith('| `host_'))
  .map((line) => {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    if (cells.length !== 5) throw new Error(`expected 5 cells in the wire contract row: ${line}`);
    const [name, input, , fail, permission] = cells as [string, string, string, string, string];
    return { name: name.replace(/`/g, ''), input, fail: failLetter(fail), permission };
  });

const extendedText = section('**Extended set**', '**Scoping.**');
const extendedNames = [...extendedText.matchAll(/`(host_[a-z_]+)/g)].map((match) => match[1] as string);
/** The letter written after an extended function, up to the next function name, e.g. `(E)`. */
function extendedLetter(name: string): string | undefined {
  const after = extendedText.slice(extendedText.indexOf(`\`${name}`) + name.length + 1);
  const next = after.search(/`host_/);
  return /\(([ESQHPW])\)/.exec(next === -1 ? after : after.slice(0, next))?.[1];
}

const catalogue = HOST_FUNCTIONS as readonly HostFunctionSpec[];
const spec = (name: string): HostFunctionSpec => {
  const found = getHostFunction(name);
  if (!found) throw new Error(`${name} is not in HOST_FUNCTIONS`);
  return found as HostFunctionSpec;
};

describe('the wire contract parsing (sanity)', () => {
  it('finds the 24 required rows and the 16 extended names', () => {
    expect(requiredRows).toHaveLength(24);
    expect(new Set(extendedNames).size).toBe(16);
    expect(requiredRows[0]?.name).toBe('host_log');
    expect(requiredRows.find((row) => row.name === 'host_ws_request')?.fail).toBe('O');
    expect(requiredRows.find((row) => row.name === 'host_request_file')?.fail).toBe('none');
  });
});

describe('HOST_FUNCTIONS against the wire contract section 4', () => {
  it.each(requiredRows)('$name is in the required set with failure shape $fail', (row) => {
    const entry = spec(row.name);
    expect(entry.set).toBe('required');
    expect(entry.failure).toBe(row.fail);
  });

  it.each(requiredRows)('$name checks the permission types its row names', (row) => {
    const entry = spec(row.name);
    const source =
      row.permission === 'as write_file'
        ? (requiredRows.find((r) => r.name === 'host_write_file')?.permission ?? '')
        : row.permission;
    const named = PERMISSION_TYPES.filter((type) => source.includes(`\`${type}\``));
    if (row.permission.startsWith('none')) expect(entry.permission).toBeNull();
    else {
      expect(named.length).toBeGreaterThan(0);
      expect([...(entry.permission?.types ?? [])].sort()).toEqual([...named].sort());
    }
    expect(entry.rateLimited === true).toBe(row.permission.includes('rate-limited'));
  });

  it.each(requiredRows)('$name ignores its input exactly when the row says so', (row) => {
    expect(spec(row.name).request === null).toBe(row.input === 'ignored');
  });

  it.each(extendedNames)('%s is in the extended set', (name) => {
    expect(spec(name).set).toBe('extended');
  });

  it.each(extendedNames.filter((name) => extendedLetter(name) !== undefined))(
    '%s has the failure shape the wire contract gives',
    (name) => {
      expect(spec(name).failure).toBe(extendedLetter(name));
    },
  );

  it('has no function the wire contract does not list, except host_namespace_send_email (a Diaryx SDK import)', () => {
    const documented = new Set([...requiredRows.map((row) => row.name), ...extendedNames]);
    expect(HOST_FUNCTION_NAMES.filter((name) => !documented.has(name))).toEqual([
      'host_namespace_send_email',
    ]);
    expect(spec('host_namespace_send_email').set).toBe('extended');
  });

  it('keeps the required functions first, in the order of the table', () => {
    expect(HOST_FUNCTION_NAMES.slice(0, requiredRows.length)).toEqual(requiredRows.map((row) => row.name));
  });
});

describe('catalogue invariants', () => {
  it('has unique names that all start with host_', () => {
    expect(new Set(HOST_FUNCTION_NAMES).size).toBe(HOST_FUNCTION_NAMES.length);
    for (const name of HOST_FUNCTION_NAMES) expect(name).toMatch(/^host_[a-z]+(_[a-z]+)*$/);
  });

  it('lives in extism:host/user', () => {
    expect(HOST_FUNCTION_NAMESPACE).toBe('extism:host/user');
  });

  it('looks functions up by name', () => {
    expect(isHostFunctionName('host_read_file')).toBe(true);
    expect(isHostFunctionName('host_launch_missiles')).toBe(false);
    expect(isHostFunctionName('read_file')).toBe(false);
    expect(getHostFunction('host_read_file').name).toBe('host_read_file');
    expect(getHostFunction('nope')).toBeUndefined();
  });

  it('gives every function a summary and a request payload exactly when it has a request schema', () => {
    for (const entry of catalogue) {
      expect(entry.summary.length, entry.name).toBeGreaterThan(0);
      expect(entry.requestPayload === null, entry.name).toBe(entry.request === null);
      if (entry.requestPayload) expect(entry.requestPayload.name).toBe(`${entry.name} request`);
    }
  });

  it('gives every permission check a rule and at least one known type', () => {
    for (const entry of catalogue) {
      if (!entry.permission) continue;
      expect(entry.permission.rule.length, entry.name).toBeGreaterThan(0);
      expect(entry.permission.types.length, entry.name).toBeGreaterThan(0);
      for (const type of entry.permission.types) expect(PERMISSION_TYPES).toContain(type);
    }
  });
});
