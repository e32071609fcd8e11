// Agents learn a tool's parameters from its input schema and description, which @plinth/mcp derives from
// the manifest's CLI hints: every golden guest declares a typed hint for each of its commands.
import { buildToolCatalog, findCliHint } from '@plinth/mcp';
import { guestBytes, listGuests } from '@plinth/testkit';
import { createPluginHarness } from '@plinth/testkit/harness';
import { describe, expect, it } from 'vitest';

/** The parameters each golden command takes, by name (`!` = required), as the guest sources read them. */
const PARAMETERS: Record<string, string[]> = {
  ping: [],
  echo: ['text'],
  greet: ['name!'],
  time: [],
  word_count: ['path!'],
  daily_note: ['date', 'text'],
  tag_index: [],
  last_index: [],
  emit: ['event_type'],
  fetch: ['url!', 'method', 'body'],
  fetch_json: ['url!', 'method', 'body'],
};

const golden = listGuests({ kind: 'golden' }).map((guest) => guest.name);

describe.each(golden)('golden guest %s', (name) => {
  it('has a typed CLI hint for every command, and each tool names its parameters', async () => {
    const harness = await createPluginHarness({ wasm: guestBytes(name) });
    try {
      const manifest = await harness.manifest();
      const tools = buildToolCatalog([{ id: manifest.id, state: 'active', manifest }]);
      expect(tools.map((tool) => tool.command).sort()).toEqual([...manifest.commands].sort());
      for (const tool of tools) {
        const expected = PARAMETERS[tool.command];
        expect(expected, `no expectation for command ${tool.command}`).toBeDefined();
        expect(findCliHint(manifest.cli, tool.command), `${tool.command} has no CLI hint`).toBeDefined();
        const names = (expected ?? []).map((parameter) => parameter.replace(/!$/, ''));
        const required = (expected ?? []).filter((p) => p.endsWith('!')).map((p) => p.slice(0, -1));
        expect(Object.keys(tool.inputSchema.properties ?? {}), tool.name).toEqual(names);
        expect(tool.inputSchema.required ?? [], tool.name).toEqual(required);
        for (const parameter of names) {
          const schema = tool.inputSchema.properties?.[parameter];
          expect(schema?.description.trim(), `${tool.name}.${parameter} has no description`).not.toBe('');
        }
        const named = names.map((p) => (required.includes(p) ? `${p} (required)` : p)).join(', ');
        if (names.length > 0) expect(tool.description).toContain(` Parameters: ${named}.`);
        else expect(tool.description).not.toContain('Parameters:');
      }
    } finally {
      await harness.close();
    }
  });
});

describe('golden tool schemas', () => {
  it('type each parameter as the guest reads it', async () => {
    const harness = await createPluginHarness({ wasm: guestBytes('as-notes') });
    try {
      const manifest = await harness.manifest();
      const tools = buildToolCatalog([{ id: manifest.id, state: 'active', manifest }]);
      expect(tools.find((tool) => tool.command === 'word_count')?.inputSchema).toEqual({
        type: 'object',
        properties: {
          path: { type: 'string', description: 'The note to count (a workspace-relative path)' },
        },
        required: ['path'],
        additionalProperties: true,
      });
    } finally {
      await harness.close();
    }
    const http = await createPluginHarness({ wasm: guestBytes('as-http') });
    try {
      const manifest = await http.manifest();
      const fetch = buildToolCatalog([{ id: manifest.id, state: 'active', manifest }]).find(
        (tool) => tool.command === 'fetch',
      );
      expect(fetch?.inputSchema.properties?.method).toEqual({
        type: 'string',
        description: 'The HTTP method',
        default: 'GET',
      });
    } finally {
      await http.close();
    }
  });
});
