import { CLI_VALUE_TYPES, cliCommandSchema, type CliCommand } from '@plinth/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeParameters, findCliHint, inputSchemaFor } from './input-schema.js';

/** A hint as a manifest would carry it, with the protocol's defaults filled in. */
function hint(raw: Record<string, unknown>): CliCommand {
  return cliCommandSchema.parse({ name: 'run', about: 'Run it', ...raw });
}

describe('input schemas from CLI hints', () => {
  it('maps every value type to its JSON type and says which parameters are required', () => {
    const schema = inputSchemaFor(
      hint({
        args: [
          { name: 'title', help: 'The title', required: true },
          { name: 'note', help: 'The note', value_type: 'Path', required: true },
          { name: 'count', help: 'How many', value_type: 'Integer' },
          { name: 'ratio', help: 'How much', value_type: 'Float' },
          { name: 'public', help: 'Share it', value_type: 'Boolean' },
          { name: 'dry-run', help: 'Change nothing', value_type: 'Integer', is_flag: true },
        ],
      }),
    );
    expect(schema).toEqual({
      type: 'object',
      properties: {
        title: { type: 'string', description: 'The title' },
        note: { type: 'string', description: 'The note (a workspace-relative path)' },
        count: { type: 'integer', description: 'How many' },
        ratio: { type: 'number', description: 'How much' },
        public: { type: 'boolean', description: 'Share it' },
        'dry-run': { type: 'boolean', description: 'Change nothing', default: false },
      },
      required: ['title', 'note'],
      additionalProperties: true,
    });
  });

  it('reads defaults as the parameter type and leaves out one that does not fit', () => {
    const schema = inputSchemaFor(
      hint({
        args: [
          { name: 'limit', help: 'At most', value_type: 'Integer', default_value: '10' },
          { name: 'bad-limit', help: 'At most', value_type: 'Integer', default_value: '1.5' },
          { name: 'empty-limit', help: 'At most', value_type: 'Integer', default_value: ' ' },
          { name: 'ratio', help: 'How much', value_type: 'Float', default_value: '0.25' },
          { name: 'bad-ratio', help: 'How much', value_type: 'Float', default_value: 'Infinity' },
          { name: 'public', help: 'Share it', value_type: 'Boolean', default_value: 'true' },
          { name: 'bad-public', help: 'Share it', value_type: 'Boolean', default_value: 'yes' },
          { name: 'title', help: 'The title', default_value: '42' },
          { name: 'loud', help: 'Shout', is_flag: true, default_value: 'true' },
        ],
      }),
    );
    const defaults = Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([name, property]) => [name, property.default]),
    );
    expect(defaults).toEqual({
      limit: 10,
      'bad-limit': undefined,
      'empty-limit': undefined,
      ratio: 0.25,
      'bad-ratio': undefined,
      public: true,
      'bad-public': undefined,
      title: '42',
      loud: true,
    });
  });

  it('describes a parameter without help by its name, and keeps the first of two args with one name', () => {
    const schema = inputSchemaFor(
      hint({
        args: [
          { name: 'path', help: '', value_type: 'Path', required: true },
          { name: 'tag', help: '  ' },
          { name: 'path', help: 'Again', value_type: 'Integer' },
          { name: '__proto__', help: 'A plain name here', required: true },
        ],
      }),
    );
    expect(JSON.parse(JSON.stringify(schema.properties))).toEqual({
      path: { type: 'string', description: 'A workspace-relative path' },
      tag: { type: 'string', description: 'The tag parameter' },
      ['__proto__']: { type: 'string', description: 'A plain name here' },
    });
    expect(schema.required).toEqual(['path', '__proto__']);
  });

  it('is an open object without a hint or without args', () => {
    expect(inputSchemaFor(undefined)).toEqual({ type: 'object', additionalProperties: true });
    expect(inputSchemaFor(hint({ args: [] }))).toEqual({ type: 'object', additionalProperties: true });
  });

  it('names each parameter for the tool description, required ones marked', () => {
    const words = hint({
      args: [
        { name: 'path', help: 'The note', value_type: 'Path', required: true },
        { name: 'limit', help: 'At most', value_type: 'Integer' },
      ],
    });
    expect(describeParameters(words)).toBe(' Parameters: path (required), limit.');
    expect(describeParameters(hint({ args: [] }))).toBe('');
    expect(describeParameters(undefined)).toBe('');
  });

  it('finds the hint of a command by command_name, PascalCase name or name, subcommands included', () => {
    const cli = [
      hint({ name: 'notes', about: 'Notes', subcommands: [{ name: 'count-words', about: 'Count' }] }),
      hint({ name: 'tags', about: 'Tags', command_name: 'tag_index' }),
      hint({ name: 'ping', about: 'Ping' }),
    ];
    expect(findCliHint(cli, 'CountWords')?.about).toBe('Count');
    expect(findCliHint(cli, 'tag_index')?.about).toBe('Tags');
    expect(findCliHint(cli, 'tags')?.about).toBe('Tags');
    expect(findCliHint(cli, 'ping')?.about).toBe('Ping');
    expect(findCliHint(cli, 'nothing')).toBeUndefined();
  });

  it('always answers a schema whose defaults fit their types and whose required names are properties', () => {
    const arg = fc.record(
      {
        name: fc.string({ minLength: 1, maxLength: 8 }),
        help: fc.string({ maxLength: 8 }),
        value_type: fc.constantFrom(...CLI_VALUE_TYPES),
        required: fc.boolean(),
        default_value: fc.option(fc.oneof(fc.string(), fc.integer().map(String), fc.double().map(String))),
        is_flag: fc.boolean(),
      },
      { requiredKeys: ['name', 'help'] },
    );
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 6 }), (args) => {
        const schema = inputSchemaFor(hint({ args }));
        const properties = schema.properties ?? {};
        for (const property of Object.values(properties)) {
          expect(['string', 'integer', 'number', 'boolean']).toContain(property.type);
          expect(property.description.length).toBeGreaterThan(0);
          if (property.default === undefined) continue;
          const kind = property.type === 'integer' ? 'number' : property.type;
          expect(typeof property.default).toBe(kind);
          if (property.type === 'integer') expect(Number.isSafeInteger(property.default)).toBe(true);
        }
        for (const name of schema.required ?? []) expect(Object.hasOwn(properties, name)).toBe(true);
        expect(new Set(schema.required).size).toBe(schema.required?.length ?? 0);
      }),
    );
  });
});
