import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handWrittenParts, PROTOCOL_URL, tableRows } from '../__fixtures__/protocol-document.js';
import { PERMISSION_TYPES } from '../permissions.js';
import {
  getHostFunction,
  HOST_FUNCTION_NAMES,
  HOST_FUNCTION_NAMESPACE,
  HOST_FUNCTIONS,
  isHostFunctionName,
} from './catalogue.js';
import { notAvailableMessage, type HostFunctionSpec } from './define.js';
import { FAILURE_SHAPES, renderFailure, type FailureShape } from './failure-shapes.js';

// The catalogue against the hand-written tables of PROTOCOL.md section 4 (its generated tables are cut out
// before reading, so the catalogue is never checked against its own output).
const protocol = handWrittenParts(readFileSync(PROTOCOL_URL, 'utf8'));
const protocolSection = protocol.section;

interface ContractRow {
  name: string;
  input: string;
  fail: FailureShape;
  permission: string;
}

function failLetter(cell: string): FailureShape {
  if ((FAILURE_SHAPES as readonly string[]).includes(cell)) return cell as FailureShape;
  throw new Error(`unrecognised Fail cell in PROTOCOL.md: ${cell}`);
}

function contractRows(heading: string): ContractRow[] {
  return tableRows(protocolSection(heading)).map((cells) => {
    if (cells.length !== 5) throw new Error(`expected 5 cells in the PROTOCOL.md row: ${cells.join(' | ')}`);
    const [name, input, , fail, permission] = cells as [string, string, string, string, string];
    return { name: name.replace(/`/g, ''), input, fail: failLetter(fail), permission };
  });
}

const requiredRows = contractRows('### 4.3 Required set');
const extendedRows = contractRows('### 4.4 Extended set');
const contractRowsAll = [...requiredRows, ...extendedRows];
const failureSection = protocolSection('### 4.2 Failure shapes');
const [shapeTable, quietTable] = failureSection.split('The absent and neutral answers');
const shapeRows = tableRows(shapeTable ?? '');
const quietRows = tableRows(quietTable ?? '');

const catalogue = HOST_FUNCTIONS as readonly HostFunctionSpec[];
const spec = (name: string): HostFunctionSpec => {
  const found = getHostFunction(name);
  if (!found) throw new Error(`${name} is not in HOST_FUNCTIONS`);
  return found as HostFunctionSpec;
};

describe('the PROTOCOL.md tables (sanity)', () => {
  it('finds the 24 required rows and the 17 extended rows', () => {
    expect(requiredRows).toHaveLength(24);
    expect(extendedRows).toHaveLength(17);
    expect(requiredRows[0]?.name).toBe('host_log');
    expect(requiredRows.find((row) => row.name === 'host_ws_request')?.fail).toBe('O');
    expect(requiredRows.find((row) => row.name === 'host_request_file')?.fail).toBe('none');
  });

  it('finds one row per failure shape and the quiet answers', () => {
    expect(shapeRows.map(([shape]) => shape)).toEqual([...FAILURE_SHAPES]);
    expect(quietRows.length).toBeGreaterThan(5);
  });
});

describe('HOST_FUNCTIONS against PROTOCOL.md section 4', () => {
  it.each(requiredRows)('$name is in the required set with failure shape $fail', (row) => {
    const entry = spec(row.name);
    expect(entry.set).toBe('required');
    expect(entry.failure).toBe(row.fail);
  });

  it.each(extendedRows)('$name is in the extended set with failure shape $fail', (row) => {
    const entry = spec(row.name);
    expect(entry.set).toBe('extended');
    expect(entry.failure).toBe(row.fail);
  });

  it.each(contractRowsAll)('$name checks the permission types its row names', (row) => {
    const entry = spec(row.name);
    const named = PERMISSION_TYPES.filter((type) => row.permission.includes(`\`${type}\``));
    if (row.permission.startsWith('none')) expect(entry.permission).toBeNull();
    else {
      expect(named.length).toBeGreaterThan(0);
      expect([...(entry.permission?.types ?? [])].sort()).toEqual([...named].sort());
    }
    expect(entry.rateLimited === true).toBe(row.permission.includes('rate-limited'));
  });

  it.each(contractRowsAll)('$name ignores its input exactly when the row says so', (row) => {
    expect(spec(row.name).request === null).toBe(row.input === 'ignored');
  });

  it('lists every catalogue function, in catalogue order, required first', () => {
    expect(HOST_FUNCTION_NAMES).toEqual(contractRowsAll.map((row) => row.name));
  });

  it.each(quietRows.map(([name, shape, answer]) => [name ?? '', shape ?? '', answer ?? ''] as const))(
    '%s answers its quiet value %s %s',
    (name, shape, answer) => {
      const entry = spec(name.replace(/`/g, ''));
      expect(entry.failure).toBe(shape);
      const written = answer.replace(/^`|`$/g, '');
      const expected = written === '""' ? '' : written;
      // JSON answers are compared as values, so the page may space them for reading.
      if (expected.startsWith('{')) expect(JSON.parse(entry.quiet)).toEqual(JSON.parse(expected));
      else expect(entry.quiet).toBe(expected);
    },
  );

  it('gives the quiet value of every Q and none function', () => {
    const listed = quietRows.map(([name]) => (name ?? '').replace(/`/g, ''));
    expect(listed.sort()).toEqual(
      catalogue
        .filter((entry) => entry.failure === 'Q' || entry.failure === 'none')
        .map((entry) => entry.name)
        .sort(),
    );
  });

  it.each(shapeRows.filter(([, form]) => form?.startsWith('`{')))(
    'shape %s renders the wire form the page gives',
    (shape, form) => {
      const message = 'host_x: boom';
      const written = (form ?? '').replace(/^`|`$/g, '').replaceAll('"<message>"', JSON.stringify(message));
      expect(JSON.parse(renderFailure(shape as FailureShape, 'host_x', 'boom', ''))).toEqual(
        JSON.parse(written),
      );
    },
  );

  it('words the "not available" answer as the page does', () => {
    expect(protocol.text).toContain(`\`"${notAvailableMessage('<name>')}"\``);
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
