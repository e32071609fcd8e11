import { createHash } from 'node:crypto';

/** MCP tool names allow `[A-Za-z0-9_-]`, at most 64 characters (clients reject others). */
export const TOOL_NAME_MAX = 64;
const HASH_LENGTH = 8;

/** Which command of which plugin a tool runs. */
export interface ToolKey {
  pluginId: string;
  command: string;
}

function sanitize(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

function suffix(key: ToolKey): string {
  return createHash('sha256')
    .update(`${key.pluginId}\u0000${key.command}`)
    .digest('hex')
    .slice(0, HASH_LENGTH);
}

function hashed(base: string, key: ToolKey): string {
  return `${base.slice(0, TOOL_NAME_MAX - HASH_LENGTH - 1)}_${suffix(key)}`;
}

/** `acme.word-count` + `count` → `acme_word-count__count`; the name alone, before collisions are seen. */
export function baseToolName(key: ToolKey): string {
  const base = `${sanitize(key.pluginId)}__${sanitize(key.command)}`;
  return base.length <= TOOL_NAME_MAX ? base : hashed(base, key);
}

/**
 * Names every (plugin, command) pair. Deterministic whatever the order: a name two pairs would share
 * (`a.b`/`x.y` and `a_b`/`x_y`) gets a hash of the exact pair on every one of them, so no pair's name
 * depends on which other plugins are installed except through such a clash.
 */
export function assignToolNames(keys: readonly ToolKey[]): Map<string, ToolKey> {
  const byBase = new Map<string, ToolKey[]>();
  for (const key of keys) {
    const base = baseToolName(key);
    byBase.set(base, [...(byBase.get(base) ?? []), key]);
  }
  const named = new Map<string, ToolKey>();
  for (const [base, group] of byBase) {
    const distinct = new Set(group.map((key) => `${key.pluginId}\u0000${key.command}`));
    if (distinct.size === 1) {
      named.set(base, group[0] as ToolKey);
      continue;
    }
    for (const key of group) {
      const name = hashed(base, key);
      // A clash of the 32-bit suffixes too is astronomically unlikely; keep the first rather than lie.
      if (!named.has(name)) named.set(name, key);
    }
  }
  return named;
}
