import { describe, expect, it } from 'vitest';
import { TOOL_NAME_MAX, assignToolNames, baseToolName } from './tool-names.js';

const VALID = /^[A-Za-z0-9_-]{1,64}$/;

describe('tool names', () => {
  it('joins the sanitized plugin id and command with a double underscore', () => {
    expect(baseToolName({ pluginId: 'plinth-golden.notes', command: 'word_count' })).toBe(
      'plinth-golden_notes__word_count',
    );
    expect(baseToolName({ pluginId: 'acme.x', command: 'Do It/now!' })).toBe('acme_x__Do_It_now_');
  });

  it('truncates long names to 64 characters with a hash of the exact pair', () => {
    const key = { pluginId: `acme.${'very-long-segment'.repeat(4)}`, command: 'summarize_everything' };
    const name = baseToolName(key);
    expect(name).toHaveLength(TOOL_NAME_MAX);
    expect(name).toMatch(VALID);
    expect(name).toMatch(/^acme_very-long-segment.*_[0-9a-f]{8}$/);
    const sibling = baseToolName({ ...key, command: 'summarize_everything_else' });
    expect(sibling).not.toBe(name);
    expect(sibling.slice(0, 55)).toBe(name.slice(0, 55));
  });

  it('gives every clashing pair a distinct hashed name, whatever the order', () => {
    const dotted = { pluginId: 'acme.notes', command: 'word.count' };
    const plain = { pluginId: 'acme.notes', command: 'word_count' };
    const other = { pluginId: 'acme.notes', command: 'ping' };
    const forward = assignToolNames([dotted, plain, other]);
    const backward = assignToolNames([other, plain, dotted]);
    expect([...forward.keys()].sort()).toEqual([...backward.keys()].sort());
    expect(forward.size).toBe(3);
    expect(forward.get('acme_notes__ping')).toEqual(other);
    const hashed = [...forward.entries()].filter(([name]) => name.startsWith('acme_notes__word_count_'));
    expect(hashed.map(([, key]) => key.command).sort()).toEqual(['word.count', 'word_count']);
    for (const [name] of hashed) expect(name).toMatch(/^acme_notes__word_count_[0-9a-f]{8}$/);
  });

  it('keeps one tool for a command listed twice', () => {
    const key = { pluginId: 'acme.notes', command: 'ping' };
    expect([...assignToolNames([key, { ...key }]).keys()]).toEqual(['acme_notes__ping']);
  });

  it('only ever produces names MCP clients accept', () => {
    const keys = ['a.b', 'x.y-z', `long.${'z'.repeat(80)}`].flatMap((pluginId) =>
      ['é', '..', 'a b', 'ok', 'x'.repeat(70)].map((command) => ({ pluginId, command })),
    );
    const names = [...assignToolNames(keys).keys()];
    expect(names).toHaveLength(keys.length);
    for (const name of names) expect(name).toMatch(VALID);
  });
});
