import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlinthError } from './errors/plinth-error.js';
import {
  MAX_JSON_DEPTH,
  assertJsonDepth,
  findJsonDepthProblem,
  findJsonTextDepthProblem,
  parseJsonWithinDepth,
} from './json-depth.js';
import { getHostFunction } from './host-functions/catalogue.js';
import { commandRequestPayload, commandResponsePayload } from './payloads/commands.js';

/** The reference: nesting depth by plain recursion (fine for the shallow values generated here). */
function referenceDepth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  return 1 + Math.max(0, ...children.map(referenceDepth));
}

/** `levels` arrays (or `{"a": …}` objects) around 1, built without recursion. */
function nested(levels: number, kind: 'array' | 'object' = 'array'): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}
const nestedText = (levels: number): string => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let at = value;
  for (const key of path) at = (at as Record<string | number, unknown>)[key];
  return at;
}

// Strings full of brackets, quotes and backslashes, so the scanner must skip string contents correctly.
const trickyString = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', 'é', '\n') });
const jsonValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(trickyString, fc.integer(), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(trickyString, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const maxDepth = fc.integer({ min: 0, max: 8 });

describe('the JSON depth bound', () => {
  it('is 256 levels', () => {
    expect(MAX_JSON_DEPTH).toBe(256);
  });

  it('agrees with the reference on decoded values, and names the first container past the limit', () => {
    fc.assert(
      fc.property(jsonValue, maxDepth, (value, limit) => {
        const problem = findJsonDepthProblem(value, limit);
        expect(problem !== undefined).toBe(referenceDepth(value) > limit);
        if (problem === undefined) return;
        expect(problem.path).toHaveLength(limit);
        expect(problem.cycle).toBe(false);
        const container = valueAt(value, problem.path);
        expect(typeof container === 'object' && container !== null).toBe(true);
      }),
    );
  });

  it('agrees with the reference on JSON text, compact or indented, and points at the opening bracket', () => {
    fc.assert(
      fc.property(jsonValue, maxDepth, fc.constantFrom(undefined, 2, '\t'), (value, limit, indent) => {
        const text = JSON.stringify(value, null, indent);
        const depth = referenceDepth(value);
        const problem = findJsonTextDepthProblem(text, limit);
        expect(problem !== undefined).toBe(depth > limit);
        if (problem === undefined) return;
        expect(problem.depth).toBe(depth);
        expect('[{').toContain(text[problem.offset]);
        // The bracket at the offset opens level limit + 1: every shallower level is still open there.
        expect(findJsonTextDepthProblem(text.slice(0, problem.offset), limit)).toBeUndefined();
      }),
    );
  });

  it('parses within the limit exactly as JSON.parse, and throws nothing but typed errors', () => {
    const anyText = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', ':', '1', ' ') }),
      jsonValue.map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(anyText, maxDepth, (text, limit) => {
        let expected: unknown;
        let valid = true;
        try {
          expected = JSON.parse(text);
        } catch {
          valid = false;
        }
        let outcome: { value: unknown } | { error: unknown };
        try {
          outcome = { value: parseJsonWithinDepth(text, { maxDepth: limit, subject: 'params' }) };
        } catch (error) {
          outcome = { error };
        }
        if ('value' in outcome) {
          expect(valid).toBe(true);
          expect(outcome.value).toEqual(expected);
          return;
        }
        expect(PlinthError.isInstance(outcome.error)).toBe(true);
        const { code } = outcome.error as PlinthError;
        if (valid) {
          expect(code).toBe('invalid_params');
          expect(referenceDepth(expected)).toBeGreaterThan(limit);
        } else {
          // Text that is not JSON may be refused for its brackets before JSON.parse sees it.
          expect(['invalid_json', 'invalid_params']).toContain(code);
        }
      }),
    );
  });

  it('refuses 100,000 levels of text before parsing, naming the depth, the limit and the offset', () => {
    const parse = () => parseJsonWithinDepth(nestedText(100_000), { subject: 'params', pluginId: 'acme.x' });
    expect(parse).toThrow(
      'params nested deeper than 256 levels: 100000 levels; level 257 opens at offset 256',
    );
    try {
      parse();
    } catch (error) {
      expect(error).toMatchObject({
        code: 'invalid_params',
        context: { pluginId: 'acme.x', limit: 'MAX_JSON_DEPTH' },
      });
    }
  });

  it('refuses a 100,000-level value without overflowing, naming the path (shortened)', () => {
    expect(() => assertJsonDepth(nested(100_000, 'object'), { subject: 'params' })).toThrow(
      'params nested deeper than 256 levels: level 257 opens at $.a.a.a.a.a.a….a.a.a',
    );
    const mixed = { list: [{ 'odd key': nested(300) }] };
    expect(findJsonDepthProblem(mixed)?.message).toBe(
      'nested deeper than 256 levels: level 257 opens at $.list[0]["odd key"][0][0][0]…[0][0][0]',
    );
    expect(() => assertJsonDepth(nested(256))).not.toThrow();
    expect(() => assertJsonDepth(nested(257))).toThrow('JSON nested deeper than 256 levels');
  });

  it('reports a value that contains itself as a cycle at its first place', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop['self'] = { back: loop };
    const problem = findJsonDepthProblem({ outer: [loop] });
    expect(problem).toMatchObject({ cycle: true, path: ['outer', 0] });
    expect(problem?.message).toBe('cannot be JSON: the value at $.outer[0] contains itself');
  });

  it('counts levels as JSON.stringify does: scalars none, each array or object one', () => {
    expect(findJsonDepthProblem(5, 0)).toBeUndefined();
    expect(findJsonDepthProblem([], 0)?.path).toEqual([]);
    expect(findJsonTextDepthProblem('"[[[[{{{{"', 0)).toBeUndefined();
    expect(findJsonTextDepthProblem('["\\\\", ["\\"]"]]', 1)?.offset).toBe(7);
  });

  it('refuses a limit that is not a whole number', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => findJsonTextDepthProblem('[]', bad)).toThrow(
        expect.objectContaining({ code: 'invalid_options' }),
      );
    }
  });
});

describe('payloads bound the depth', () => {
  it('answers invalid_params for deep wire text and deep values, and never throws', () => {
    const emitEvent = getHostFunction('host_emit_event');
    const decoded = emitEvent.decodeRequest(nestedText(100_000));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.code).toBe('invalid_params');
    expect(decoded.error.message).toBe(
      'Invalid host_emit_event request: at (root): nested deeper than 256 levels: 100000 levels; level 257 opens at offset 256',
    );
    const parsed = commandRequestPayload.parse({ command: 'x', params: nested(100_000) });
    expect(parsed.ok || parsed.error.code).toBe('invalid_params');
    // The envelope does not count: params themselves may nest MAX_JSON_DEPTH levels.
    expect(parsed.ok || parsed.error.message).toContain(
      'nested deeper than 257 levels: level 258 opens at $.params[0][0]',
    );
  });

  it('accepts JSON at the limit; params and data may use all of it', () => {
    expect(getHostFunction('host_emit_event').decodeRequest(nestedText(256)).ok).toBe(true);
    expect(getHostFunction('host_emit_event').decodeRequest(nestedText(257)).ok).toBe(false);
    expect(commandRequestPayload.parse({ command: 'x', params: nested(256) }).ok).toBe(true);
    const data = (levels: number) => `{"success":true,"data":${nestedText(levels)}}`;
    expect(commandResponsePayload.decode(data(256)).ok).toBe(true);
    expect(commandResponsePayload.decode(data(257)).ok).toBe(false);
  });
});
