import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { PlinthError, type CommandResponse, type JsonValue } from '@plinth/protocol';
import { buildToolCatalog, type PluginTool, type ToolSource } from './tool-catalog.js';

/** The part of NodeHost the MCP server uses. */
export interface ToolHost {
  plugins(): readonly ToolSource[];
  command(pluginId: string, command: string, params?: JsonValue | null): Promise<CommandResponse>;
}

export const SERVER_INFO = { name: 'plinth-demo', version: '1.0.0' } as const;

function text(message: string, isError = false): CallToolResult {
  return { content: [{ type: 'text', text: message }], ...(isError ? { isError: true } : {}) };
}

/**
 * Plugin commands as MCP tools, for any number of sessions (one SDK `Server` per stdio or HTTP session).
 * The list is rebuilt from the host on every request, so it is never stale; `toolsChanged()` tells every
 * connected client to fetch it again.
 */
export class PluginToolServer {
  readonly #host: ToolHost;
  readonly #servers = new Set<Server>();

  constructor(host: ToolHost) {
    this.#host = host;
  }

  tools(): PluginTool[] {
    return buildToolCatalog(this.#host.plugins());
  }

  /** A new SDK server wired to the plugins; connect it to one transport. */
  createServer(): Server {
    const server = new Server(SERVER_INFO, {
      capabilities: { tools: { listChanged: true } },
      instructions:
        'Tools are commands of WebAssembly plugins working on a notes workspace. Paths are workspace-relative ' +
        '(e.g. "ideas.md", "Daily/2026-11-30.md"). A permission denial comes back as a tool error naming ' +
        'the permission; the user grants permissions, not the agent.',
    });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: this.tools().map((tool) => ({
        name: tool.name,
        description: tool.description,
        inputSchema: tool.inputSchema,
      })),
    }));
    server.setRequestHandler(CallToolRequestSchema, (request) =>
      this.callTool(request.params.name, request.params.arguments),
    );
    server.onclose = () => this.#servers.delete(server);
    this.#servers.add(server);
    return server;
  }

  async callTool(name: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    const tool = this.tools().find((candidate) => candidate.name === name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool "${name}"`);
    try {
      const response = await this.#host.command(
        tool.pluginId,
        tool.command,
        (args as JsonValue | undefined) ?? null,
      );
      if (!response.success) {
        const code = response.error_code ? ` [${response.error_code}]` : '';
        return text(
          `${tool.pluginId} ${tool.command} failed${code}: ${response.error ?? 'no message'}`,
          true,
        );
      }
      const data = response.data ?? null;
      return text(typeof data === 'string' ? data : JSON.stringify(data, null, 2));
    } catch (error) {
      // Limits, traps, quarantine, unloaded plugins: the agent sees what happened, the server stays up.
      if (PlinthError.isInstance(error))
        return text(`${tool.pluginId} ${tool.command}: [${error.code}] ${error.message}`, true);
      return text(`${tool.pluginId} ${tool.command}: internal error: ${(error as Error).message}`, true);
    }
  }

  /** Sends `notifications/tools/list_changed` to every connected session. */
  toolsChanged(): void {
    for (const server of this.#servers) {
      // A session that is not initialized yet or just went away has nobody to tell.
      server.sendToolListChanged().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#servers].map((server) => server.close()));
    this.#servers.clear();
  }
}
