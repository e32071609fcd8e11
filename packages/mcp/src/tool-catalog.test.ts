import { decodeGuestManifest, type GuestManifest } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { inputSchemaFor } from './input-schema.js';
import { buildToolCatalog, laneWords } from './tool-catalog.js';

function manifest(extra: Record<string, unknown>): GuestManifest {
  const result = decodeGuestManifest(
    JSON.stringify({
      id: 'acme.notes',
      name: 'Acme notes',
      version: '1.2.0',
      description: 'Counts words.',
      capabilities: ['custom_commands'],
      commands: ['word_count', 'ping'],
      ...extra,
    }),
  );
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const cli = [
  {
    name: 'words',
    about: 'Count the words of a note',
    command_name: 'word_count',
    args: [
      { name: 'path', help: 'The note', value_type: 'Path', required: true },
      { name: 'limit', help: 'At most', value_type: 'Integer', default_value: '10' },
      { name: 'verbose', help: 'Say more', is_flag: true },
    ],
  },
];

describe('tool catalog', () => {
  it('turns each command of an active plugin into a tool, with an open schema when there is no CLI hint', () => {
    const tools = buildToolCatalog([{ id: 'acme.notes', state: 'active', manifest: manifest({}) }]);
    expect(tools.map((tool) => tool.name)).toEqual(['acme_notes__ping', 'acme_notes__word_count']);
    expect(tools[0]).toEqual({
      name: 'acme_notes__ping',
      pluginId: 'acme.notes',
      command: 'ping',
      description: 'Acme notes (acme.notes v1.2.0): command "ping". Counts words.',
      inputSchema: { type: 'object', additionalProperties: true },
    });
  });

  it('says in each description where the plugin runs and who signed it', () => {
    const lane = { kind: 'in-thread', metered: true };
    const signed = {
      state: 'signed',
      keyId: '0123456789abcdef',
      keyName: 'acme release',
      signedAt: '2026-05-01T12:00:00.000Z',
    } as const;
    const [tool] = buildToolCatalog([
      {
        id: 'acme.notes',
        state: 'active',
        manifest: manifest({ commands: ['ping'] }),
        lane,
        signature: signed,
      },
    ]);
    expect(tool?.description).toBe(
      'Acme notes (acme.notes v1.2.0): command "ping". Counts words. Runs in-thread, metered (fuel). Signed by "acme release".',
    );
    const unsigned = { state: 'unsigned', policy: 'warn' } as const;
    const [other] = buildToolCatalog([
      { id: 'acme.notes', state: 'active', manifest: manifest({ commands: ['ping'] }), signature: unsigned },
    ]);
    expect(other?.description).toBe(
      'Acme notes (acme.notes v1.2.0): command "ping". Counts words. Unsigned.',
    );
  });

  it('derives the input schema and description from the CLI hint that runs the command', () => {
    const [, wordCount] = buildToolCatalog([
      { id: 'acme.notes', state: 'active', manifest: manifest({ cli }) },
    ]);
    expect(wordCount?.description).toBe(
      'Acme notes (acme.notes v1.2.0): command "word_count" — Count the words of a note. Counts words. Parameters: path (required), limit, verbose.',
    );
    expect(wordCount?.inputSchema).toEqual({
      type: 'object',
      properties: {
        path: { type: 'string', description: 'The note (a workspace-relative path)' },
        limit: { type: 'integer', description: 'At most', default: 10 },
        verbose: { type: 'boolean', description: 'Say more', default: false },
      },
      required: ['path'],
      additionalProperties: true,
    });
  });

  it('matches a hint by the PascalCase of its name when it names no command', () => {
    const hinted = manifest({
      commands: ['WordCount'],
      cli: [{ name: 'word-count', about: 'Count', args: [] }],
    });
    const [tool] = buildToolCatalog([{ id: 'acme.notes', state: 'active', manifest: hinted }]);
    expect(tool?.description).toContain('command "WordCount" — Count.');
    expect(inputSchemaFor(undefined)).toEqual({ type: 'object', additionalProperties: true });
  });

  it('names the lane as list does, and says nothing of lane or signature a view does not have', () => {
    expect(laneWords({ kind: 'isolated', metered: false })).toBe('isolated (a worker)');
    expect(laneWords({ kind: 'in-thread', metered: true })).toBe('in-thread, metered (fuel)');
    const [isolated] = buildToolCatalog([
      {
        id: 'acme.notes',
        state: 'active',
        manifest: manifest({ commands: ['ping'] }),
        lane: { kind: 'isolated', metered: false },
      },
    ]);
    expect(isolated?.description).toBe(
      'Acme notes (acme.notes v1.2.0): command "ping". Counts words. Runs isolated (a worker).',
    );
    // The runtime's PluginInfo: no lane, no signature.
    const info = {
      id: 'acme.notes',
      version: '1.2.0',
      state: 'active',
      consecutiveFailures: 0,
      error: undefined,
    };
    const [plain] = buildToolCatalog([{ ...info, manifest: manifest({ commands: ['ping'] }) }]);
    expect(plain?.description).toBe('Acme notes (acme.notes v1.2.0): command "ping". Counts words.');
  });

  it('leaves out failed and quarantined plugins', () => {
    const tools = buildToolCatalog([
      { id: 'acme.notes', state: 'failed', manifest: manifest({}) },
      { id: 'acme.other', state: 'quarantined', manifest: undefined },
    ]);
    expect(tools).toEqual([]);
  });
});
