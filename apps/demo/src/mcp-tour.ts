// Drives `plinth-demo mcp` with the official MCP client, the way an AI agent would: used by scripts/demo.sh.
// Usage: node dist/mcp-tour.js <workspace>
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

const workspace = process.argv[2];
if (!workspace) {
  console.error('usage: node mcp-tour.js <workspace>');
  process.exit(2);
}
const cli = join(dirname(fileURLToPath(import.meta.url)), 'cli.js');
const client = new Client({ name: 'plinth-demo-tour', version: '1.0.0' });
const transport = new StdioClientTransport({
  command: process.execPath,
  args: ['--disable-warning=ExperimentalWarning', cli, '--workspace', workspace, 'mcp'],
  stderr: 'ignore',
});

function show(result: unknown): string {
  const { content, isError } = result as CallToolResult;
  const text = content.map((part) => (part.type === 'text' ? part.text : `<${part.type}>`)).join('');
  return `${isError ? 'tool error: ' : ''}${text.replace(/\s+/g, ' ')}`;
}

try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  console.log(
    `tools/list: ${tools.length} tools, e.g. ${tools
      .slice(0, 4)
      .map((tool) => tool.name)
      .join(', ')}, …`,
  );
  const calls: [string, Record<string, unknown>][] = [
    ['plinth-golden_notes__tag_index', {}],
    ['plinth-golden_wat__greet', { name: 'agent' }],
    ['plinth-golden_notes__daily_note', { date: '2026-12-01', text: 'Written by an MCP client' }],
  ];
  for (const [name, args] of calls)
    console.log(
      `tools/call ${name} ${JSON.stringify(args)}\n  → ${show(await client.callTool({ name, arguments: args }))}`,
    );
} finally {
  await client.close();
}
