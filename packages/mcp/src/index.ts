// @plinth/mcp: plugin commands as MCP tools. The transports have their own subpaths (`/stdio`, `/http`).
export {
  DEFAULT_INSTRUCTIONS,
  PluginToolServer,
  type PluginToolServerOptions,
  type PluginToolSource,
} from './plugin-tool-server.js';
export {
  buildToolCatalog,
  laneWords,
  type PluginTool,
  type ToolPlugin,
  type ToolSignature,
} from './tool-catalog.js';
export {
  describeParameters,
  findCliHint,
  inputSchemaFor,
  type ToolInputSchema,
  type ToolParameterSchema,
} from './input-schema.js';
export { TOOL_NAME_MAX, assignToolNames, baseToolName, type ToolKey } from './tool-names.js';
