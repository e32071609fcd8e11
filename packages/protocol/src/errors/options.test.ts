import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  checkOptions,
  defineOptions,
  functionOption,
  objectOption,
  OptionsError,
  wholeNumberOption,
  type OptionsMismatch,
} from './options.js';
import { PlinthError } from './plinth-error.js';

interface Store {
  get(key: string): string | undefined;
}

interface ExampleOptions {
  name: string;
  policy: { file: string } | { frontMatter: string };
  limits?: { timeoutMs?: number; mode?: 'cap' | 'refuse' };
  tags?: readonly string[];
  onLog?: (line: string) => void;
  store?: Store;
}

const schema = defineOptions<ExampleOptions>()(
  z.strictObject({
    name: z.string().min(1),
    policy: z
      .union([
        z.strictObject({ file: z.string().min(1) }),
        z.strictObject({ frontMatter: z.string().min(1) }),
      ])
      .describe('a { file } or { frontMatter } object'),
    limits: z
      .strictObject({
        timeoutMs: wholeNumberOption(1, 1000).optional(),
        mode: z.enum(['cap', 'refuse']).optional(),
      })
      .optional(),
    tags: z.array(z.string()).readonly().optional(),
    onLog: functionOption().optional(),
    store: objectOption<Store>('a Store (with get)', ['get']).optional(),
  }),
);

const valid: ExampleOptions = { name: 'x', policy: { file: 'policy.yaml' } };

/** The OptionsError `checkOptions` throws for `value`. */
function refusal(value: unknown): OptionsError {
  try {
    checkOptions('createExample', schema, value as ExampleOptions);
  } catch (error) {
    if (OptionsError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('the options were accepted');
}

describe('checkOptions', () => {
  it('accepts valid options, including every optional kind', () => {
    expect(() => checkOptions('createExample', schema, valid)).not.toThrow();
    expect(() =>
      checkOptions('createExample', schema, {
        ...valid,
        policy: { frontMatter: 'notes.md' },
        limits: { timeoutMs: 5, mode: 'cap' },
        tags: ['a'],
        onLog: () => {},
        store: { get: () => undefined },
      }),
    ).not.toThrow();
  });

  it('names a missing required option and what it expects', () => {
    const error = refusal({ name: 'x' });
    expect(error).toBeInstanceOf(PlinthError);
    expect(error.code).toBe('invalid_options');
    expect(error.factory).toBe('createExample');
    expect(error.message).toBe(
      'createExample: option `policy` is required (a { file } or { frontMatter } object)',
    );
    expect(error.problems).toEqual([
      { path: 'policy', message: 'is required (a { file } or { frontMatter } object)' },
    ]);
  });

  it('names a bad nested number with the value given', () => {
    expect(refusal({ ...valid, limits: { timeoutMs: -1 } }).message).toBe(
      'createExample: option `limits.timeoutMs` must be a whole number from 1 to 1000 (got -1)',
    );
    expect(refusal({ ...valid, limits: { mode: 'maybe' } }).message).toBe(
      'createExample: option `limits.mode` must be one of "cap", "refuse" (got "maybe")',
    );
  });

  it('names wrong types, array elements and callbacks', () => {
    const error = refusal({ name: 3, policy: { file: 'p' }, tags: ['a', 2], onLog: 'log', store: {} });
    expect(error.problems).toEqual([
      { path: 'name', message: 'must be a string (got 3)' },
      { path: 'tags[1]', message: 'must be a string (got 2)' },
      { path: 'onLog', message: 'must be a function (got "log")' },
      { path: 'store', message: 'must be a Store (with get) (got {})' },
    ]);
  });

  it('refuses unknown keys and suggests the closest known one', () => {
    expect(refusal({ ...valid, polcy: {} }).message).toBe(
      'createExample: option `polcy` is unknown (did you mean `policy`?)',
    );
    expect(refusal({ ...valid, limits: { timeoutMS: 5 } }).problems).toEqual([
      { path: 'limits.timeoutMS', message: 'is unknown (did you mean `timeoutMs`?)' },
    ]);
    expect(refusal({ ...valid, colour: 'red' }).problems).toEqual([
      { path: 'colour', message: 'is unknown' },
    ]);
  });

  it('counts a swap of neighbouring letters as one typo, and suggests record keys of an enum', () => {
    expect(refusal({ ...valid, nmae: 'x' }).problems).toEqual([
      { path: 'nmae', message: 'is unknown (did you mean `name`?)' },
    ]);
    const handlers = defineOptions<{ bundle: Partial<Record<'host_read_file' | 'host_log', () => void>> }>()(
      z.strictObject({ bundle: z.partialRecord(z.enum(['host_read_file', 'host_log']), functionOption()) }),
    );
    expect(() =>
      checkOptions('createHost', handlers, { bundle: { host_raed_file: () => {} } } as never),
    ).toThrow('createHost: option `bundle.host_raed_file` is unknown (did you mean `host_read_file`?)');
  });

  it('takes the words of a cross-field check as what is expected', () => {
    const sized = defineOptions<{ min?: number; max?: number }>()(
      z.strictObject({ min: z.int().optional(), max: z.int().optional() }).check((context) => {
        const { min = 1, max } = context.value;
        if (max !== undefined && max < min) {
          context.issues.push({
            code: 'custom',
            path: ['max'],
            input: max,
            message: `at least min (${min})`,
          });
        }
      }),
    );
    expect(() => checkOptions('createPool', sized, { min: 3, max: 2 })).toThrow(
      'createPool: option `max` must be at least min (3) (got 2)',
    );
  });

  it('reports the nested option of the union branch the value was meant for', () => {
    expect(refusal({ ...valid, policy: { file: '' } }).problems).toEqual([
      { path: 'policy.file', message: 'must be a non-empty string (got "")' },
    ]);
    expect(refusal({ ...valid, policy: { path: 'p.yaml' } }).problems).toEqual([
      { path: 'policy', message: 'must be a { file } or { frontMatter } object (got { path })' },
    ]);
  });

  it('refuses a value that is not an object at all', () => {
    expect(refusal(undefined).message).toBe('createExample: options must be an object (got undefined)');
    expect(refusal(null).message).toBe('createExample: options must be an object (got null)');
  });

  it('lists every bad option in one message', () => {
    expect(refusal({ name: '', policy: { file: 'p' }, limits: { timeoutMs: 0.5 } }).message).toBe(
      'createExample: option `name` must be a non-empty string (got ""); ' +
        'option `limits.timeoutMs` must be a whole number from 1 to 1000 (got 0.5)',
    );
  });

  it('ties a schema to its options type at compile time', () => {
    expectTypeOf<OptionsMismatch<ExampleOptions, z.input<typeof schema>>>().toEqualTypeOf<unknown>();
    expectTypeOf<OptionsMismatch<{ a: string; b?: number }, { a: string }>>().toEqualTypeOf<{
      'keys the options type has and the schema lacks': 'b';
    }>();
    expectTypeOf<OptionsMismatch<{ a: string }, { a: string; c?: number }>>().toEqualTypeOf<{
      'keys the schema has and the options type lacks': 'c';
    }>();
    expectTypeOf<OptionsMismatch<{ a: string | number }, { a: string }>>().not.toEqualTypeOf<unknown>();
    // @ts-expect-error the schema lacks the options type's `b`
    defineOptions<{ a: string; b?: number }>()(z.strictObject({ a: z.string() }));
  });
});
