import { readFile } from 'node:fs/promises';
import type { JsonObject } from '@plinth/protocol';
import { writeFileAtomic } from './atomic-write.js';
import { errorMessage } from './directory-error.js';

/** A config.json as read: the config to give the plugin, and why it was replaced by `{}` when it was. */
export interface ConfigReading {
  config: JsonObject;
  /** Set when config.json exists but cannot be used; the plugin then gets `{}`. */
  warning?: string;
}

/** Reads a plugin's config.json sidecar. Absent is `{}`; unreadable, not JSON or not an object is `{}` with a warning. */
export async function readConfigSidecar(path: string): Promise<ConfigReading> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { config: {} };
    return { config: {}, warning: `cannot read ${path}: ${errorMessage(error)}; using {}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { config: {}, warning: `${path} is not valid JSON (${errorMessage(error)}); using {}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { config: {}, warning: `${path} holds ${kind}, not a JSON object; using {}` };
  }
  return { config: value as JsonObject };
}

/** Writes a plugin's config.json sidecar atomically. */
export async function writeConfigSidecar(path: string, config: JsonObject): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`);
}
