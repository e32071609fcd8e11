import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  decodeGuestManifest,
  type CommandResponse,
  type GuestManifest,
  type JsonValue,
} from '@plinth/protocol';
import type { PluginToolSource } from '../plugin-tool-server.js';
import type { ToolPlugin } from '../tool-catalog.js';

/** A manifest as a guest would answer it, decoded with the protocol's own defaults. */
export function manifest(extra: Record<string, unknown> = {}): GuestManifest {
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

export type CommandHandler = (params: JsonValue | null) => Promise<CommandResponse> | CommandResponse;

/** An in-memory plugin source: plugin views to list and one handler per `pluginId command`. */
export class MemorySource implements PluginToolSource {
  views: ToolPlugin[] = [];
  readonly handlers = new Map<string, CommandHandler>();
  readonly calls: { pluginId: string; command: string; params: JsonValue | null }[] = [];

  plugins(): readonly ToolPlugin[] {
    return this.views;
  }

  async command(pluginId: string, command: string, params: JsonValue | null): Promise<CommandResponse> {
    this.calls.push({ pluginId, command, params });
    const handler = this.handlers.get(`${pluginId} ${command}`);
    if (!handler) return { success: false, error: `unknown command: ${command}`, error_code: 'not_handled' };
    return handler(params);
  }
}

/** Counts `notifications/tools/list_changed` a client gets; `after(n)` resolves once more than n arrived. */
export function listChanged(client: Client) {
  let count = 0;
  let waiters: (() => void)[] = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    count += 1;
    const ready = waiters;
    waiters = [];
    for (const wake of ready) wake();
  });
  return {
    get count() {
      return count;
    },
    async after(seen: number): Promise<void> {
      while (count <= seen) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

export function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  return content.map((part) => (part.type === 'text' ? part.text : `<${part.type}>`)).join('');
}

export const newClient = () => new Client({ name: 'plinth-mcp-test', version: '1.0.0' });
