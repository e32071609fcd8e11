import { createRequire } from 'node:module';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import {
  PlinthError,
  checkOptions,
  defineOptions,
  objectOption,
  type CommandResponse,
  type JsonValue,
} from '@plinth/protocol';
import { z } from 'zod';
import { buildToolCatalog, type PluginTool, type ToolPlugin } from './tool-catalog.js';
import { traceToolCall, type McpTransportKind } from './tool-call-telemetry.js';

/**
 * Where the tools come from: a host's plugins and a way to run their commands. `NodeHost` is one as it is;
 * a runtime `PluginRegistry` is one as `{ plugins: () => registry.list(), command: (...a) => registry.command(...a) }`.
 */
export interface PluginToolSource {
  /** The plugins now known; only active ones get tools. Read on every tools request. */
  plugins(): readonly ToolPlugin[];
  /** Runs a command; a rejection (a PlinthError: limits, traps, quarantine, …) becomes a tool error. */
  command(pluginId: string, command: string, params: JsonValue | null): Promise<CommandResponse>;
}

/** What a PluginToolServer is built with: where the tools come from, and how it introduces itself. */
export interface PluginToolServerOptions {
  source: PluginToolSource;
  /** How the server introduces itself to clients. Default `{ name: 'plinth', version: <this package's> }`. */
  serverInfo?: { name: string; version: string };
  /** What clients show the model about the tools as a whole. Default: a generic note on errors and grants. */
  instructions?: string;
}

const optionsSchema = defineOptions<PluginToolServerOptions>()(
  z.strictObject({
    source: objectOption<PluginToolSource>('a plugin source (an object with plugins() and command())', [
      'plugins',
      'command',
    ]),
    serverInfo: z
      .strictObject({ name: z.string().min(1), version: z.string().min(1) })
      .describe('{ name, version } (non-empty strings)')
      .optional(),
    instructions: z.string().optional(),
  }),
);

const PACKAGE_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** The `instructions` clients get when the options give none. */
export const DEFAULT_INSTRUCTIONS =
  'Tools are commands of WebAssembly plugins. A failed command (a permission denial, a plugin error, a ' +
  'limit) comes back as a tool error naming what went wrong; the user grants permissions, not the agent.';

function text(message: string, isError = false): CallToolResult {
  return { content: [{ type: 'text', text: message }], ...(isError ? { isError: true } : {}) };
}

/**
 * Plugin commands as MCP tools, for any number of sessions (one SDK `Server` per stdio or HTTP session).
 * The list is rebuilt from the source on every request, so it is never stale; `toolsChanged()` tells every
 * connected client to fetch it again (call it from the host's `onChange`).
 */
export class PluginToolServer {
  readonly #source: PluginToolSource;
  readonly #serverInfo: { name: string; version: string };
  readonly #instructions: string;
  readonly #servers = new Set<Server>();

  constructor(options: PluginToolServerOptions) {
    checkOptions('PluginToolServer', optionsSchema, options);
    this.#source = options.source;
    this.#serverInfo = options.serverInfo ?? { name: 'plinth', version: PACKAGE_VERSION };
    this.#instructions = options.instructions ?? DEFAULT_INSTRUCTIONS;
  }

  /** The tools as they are now: one per command of each active plugin, built afresh from the source. */
  tools(): PluginTool[] {
    return buildToolCatalog(this.#source.plugins());
  }

  /**
   * A new SDK server wired to the plugins; connect it to one transport. `transport` names it in the
   * `tools/call` spans (`network.transport`); `serveStdio` and `serveHttp` pass it.
   */
  createServer(options: { transport?: McpTransportKind } = {}): Server {
    const server = new Server(this.#serverInfo, {
      capabilities: { tools: { listChanged: true } },
      instructions: this.#instructions,
    });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: this.tools().map((tool) => ({
        name: tool.name,
        description: tool.description,
        inputSchema: tool.inputSchema,
      })),
    }));
    server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      traceToolCall(
        {
          tool: request.params.name,
          meta: request.params._meta,
          requestId: extra.requestId,
          sessionId: extra.sessionId,
          transport: options.transport,
        },
        () => this.callTool(request.params.name, request.params.arguments),
      ),
    );
    server.onclose = () => this.#servers.delete(server);
    this.#servers.add(server);
    return server;
  }

  /**
   * Runs the tool's command with the arguments as its params. Whatever the plugin does is a tool result
   * (`isError` on failure); only an unknown tool name is a protocol error.
   */
  async callTool(name: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    const tool = this.tools().find((candidate) => candidate.name === name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool "${name}"`);
    try {
      const response = await this.#source.command(
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
      const message = error instanceof Error ? error.message : String(error);
      return text(`${tool.pluginId} ${tool.command}: internal error: ${message}`, true);
    }
  }

  /** Sends `notifications/tools/list_changed` to every connected session. */
  toolsChanged(): void {
    for (const server of this.#servers) {
      // A session that is not initialized yet or just went away has nobody to tell.
      server.sendToolListChanged().catch(() => undefined);
    }
  }

  /** Closes every session's server. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#servers].map((server) => server.close()));
    this.#servers.clear();
  }
}
