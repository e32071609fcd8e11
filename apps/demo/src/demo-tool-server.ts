import type { NodeHost } from '@plinth/host-node';
import { PluginToolServer } from '@plinth/mcp';
import { DEMO_APP_VERSION } from './app-version.js';

const INSTRUCTIONS =
  'Tools are commands of WebAssembly plugins working on a notes workspace. Paths are workspace-relative ' +
  '(e.g. "ideas.md", "Daily/2026-11-30.md"). A permission denial comes back as a tool error naming ' +
  'the permission; the user grants permissions, not the agent.';

/** The demo's plugins as MCP tools, introduced as `plinth-demo`. */
export function demoToolServer(host: NodeHost): PluginToolServer {
  return new PluginToolServer({
    source: host,
    serverInfo: { name: 'plinth-demo', version: DEMO_APP_VERSION },
    instructions: INSTRUCTIONS,
  });
}
