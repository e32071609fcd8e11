import { readFileSync } from 'node:fs';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { NodeHost } from '@plinth/host-node';
import { PlinthError, type CommandResponse } from '@plinth/protocol';
import { PluginRegistry, type PluginHandle, type PluginInfo } from '@plinth/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySource, listChanged, manifest, newClient, textOf } from './__fixtures__/memory-source.js';
import { DEFAULT_INSTRUCTIONS, PluginToolServer, type PluginToolSource } from './plugin-tool-server.js';

// Compile-time: a NodeHost is a source as it is (tsc checks this file).
export const fromNodeHost = (host: NodeHost): PluginToolSource => host;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A connected client of a new session of `tools`. */
async function connect(tools: PluginToolServer) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await tools.createServer().connect(serverSide);
  const client = newClient();
  const changes = listChanged(client);
  await client.connect(clientSide);
  cleanups.push(() => client.close());
  return { client, changes };
}

function notesSource(): MemorySource {
  const source = new MemorySource();
  source.views = [
    { id: 'acme.notes', state: 'active', manifest: manifest(), lane: { kind: 'in-thread', metered: true } },
    { id: 'acme.broken', state: 'failed', manifest: manifest({ id: 'acme.broken' }) },
  ];
  return source;
}

describe('PluginToolServer', () => {
  it('introduces itself and lists the commands of active plugins as tools', async () => {
    const tools = new PluginToolServer({ source: notesSource() });
    const { client } = await connect(tools);
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(client.getServerVersion()).toEqual({ name: 'plinth', version });
    expect(client.getInstructions()).toBe(DEFAULT_INSTRUCTIONS);
    expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: true });
    const { tools: listed } = await client.listTools();
    expect(listed).toEqual([
      {
        name: 'acme_notes__ping',
        description:
          'Acme notes (acme.notes v1.2.0): command "ping". Counts words. Runs in-thread, metered (fuel).',
        inputSchema: { type: 'object', additionalProperties: true },
      },
      {
        name: 'acme_notes__word_count',
        description:
          'Acme notes (acme.notes v1.2.0): command "word_count". Counts words. Runs in-thread, metered (fuel).',
        inputSchema: { type: 'object', additionalProperties: true },
      },
    ]);
  });

  it('takes the name and instructions an app gives it', async () => {
    const tools = new PluginToolServer({
      source: notesSource(),
      serverInfo: { name: 'my-app', version: '2.0.0' },
      instructions: 'Notes tools.',
    });
    const { client } = await connect(tools);
    expect(client.getServerVersion()).toEqual({ name: 'my-app', version: '2.0.0' });
    expect(client.getInstructions()).toBe('Notes tools.');
  });

  it('passes the arguments as params and answers text, or JSON for other data', async () => {
    const source = notesSource();
    source.handlers.set('acme.notes ping', () => ({ success: true, data: 'pong' }));
    source.handlers.set('acme.notes word_count', (params) => ({ success: true, data: { params, words: 3 } }));
    const { client } = await connect(new PluginToolServer({ source }));
    expect(textOf(await client.callTool({ name: 'acme_notes__ping' }))).toBe('pong');
    const counted = await client.callTool({ name: 'acme_notes__word_count', arguments: { path: 'a.md' } });
    expect(counted.isError).toBeUndefined();
    expect(textOf(counted)).toBe(JSON.stringify({ params: { path: 'a.md' }, words: 3 }, null, 2));
    expect(source.calls).toEqual([
      { pluginId: 'acme.notes', command: 'ping', params: null },
      { pluginId: 'acme.notes', command: 'word_count', params: { path: 'a.md' } },
    ]);
  });

  it('turns failed commands and thrown errors into tool errors, and an unknown tool into a protocol error', async () => {
    const source = notesSource();
    const answers: (() => CommandResponse)[] = [
      () => ({ success: false, error: 'host_read_file: Permission denied', error_code: 'permission_denied' }),
      () => ({ success: false }),
      () => {
        throw new PlinthError('timeout', 'plugin acme.notes@1.2.0 (handle_command) timed out after 100 ms');
      },
      () => {
        throw new Error('socket hang up');
      },
      () => {
        throw 'a string';
      },
    ];
    source.handlers.set('acme.notes word_count', () => (answers.shift() as () => CommandResponse)());
    const tools = new PluginToolServer({ source });
    const { client } = await connect(tools);
    const results: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const result = await client.callTool({ name: 'acme_notes__word_count', arguments: {} });
      expect(result.isError).toBe(true);
      results.push(textOf(result));
    }
    expect(results).toEqual([
      'acme.notes word_count failed [permission_denied]: host_read_file: Permission denied',
      'acme.notes word_count failed: no message',
      'acme.notes word_count: [timeout] plugin acme.notes@1.2.0 (handle_command) timed out after 100 ms',
      'acme.notes word_count: internal error: socket hang up',
      'acme.notes word_count: internal error: a string',
    ]);
    await expect(client.callTool({ name: 'acme_broken__ping', arguments: {} })).rejects.toThrow(
      'unknown tool "acme_broken__ping"',
    );
  });

  it('tells every connected session when the tools change, and carries on once one has closed', async () => {
    const source = notesSource();
    const tools = new PluginToolServer({ source });
    const first = await connect(tools);
    const second = await connect(tools);
    source.views = [
      ...source.views,
      { id: 'acme.more', state: 'active', manifest: manifest({ id: 'acme.more' }) },
    ];
    tools.toolsChanged();
    await Promise.all([first.changes.after(0), second.changes.after(0)]);
    expect((await second.client.listTools()).tools.map((tool) => tool.name)).toContain('acme_more__ping');

    await first.client.close();
    tools.toolsChanged();
    await second.changes.after(1);
    expect([first.changes.count, second.changes.count]).toEqual([1, 2]);
    await tools.close();
  });

  it('refuses options that are not a source, naming the option', () => {
    expect(
      () => new PluginToolServer({ source: { plugins: () => [] } as unknown as PluginToolSource }),
    ).toThrow(
      'PluginToolServer: option `source` must be a plugin source (an object with plugins() and command())',
    );
    expect(
      () => new PluginToolServer({ source: new MemorySource(), serverInfo: { name: '', version: '1' } }),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message: expect.stringContaining('serverInfo.name'),
      }),
    );
  });
});

/** An in-memory plugin handle for a real registry: its word_count traps when told to. */
function handle(version: string, trap: { now: boolean }): PluginHandle {
  const guest = manifest({ version });
  return {
    id: 'acme.notes',
    version,
    manifest: guest,
    handles: (command) => guest.commands.includes(command),
    command: async (name) => {
      if (trap.now)
        throw new PlinthError('trap', `plugin acme.notes@${version} (handle_command) trapped: unreachable`);
      return { success: true, data: `${name} from ${version}` };
    },
    event: async () => null,
    shutdown: async () => undefined,
  };
}

describe('PluginToolServer on a runtime PluginRegistry', () => {
  it('follows loads, reloads, quarantine and unloads through the registry onChange', async () => {
    const changes: string[] = [];
    const registry = new PluginRegistry({
      failurePolicy: { maxConsecutiveFailures: 1, action: 'quarantine' },
      // Fires only once a plugin loads, after `tools` exists.
      onChange: (change) => {
        changes.push(change.type);
        tools.toolsChanged();
      },
    });
    cleanups.push(() => registry.close());
    const tools = new PluginToolServer({
      source: {
        plugins: (): PluginInfo[] => registry.list(),
        command: (pluginId, command, params) => registry.command(pluginId, command, params),
      },
    });
    const { client, changes: notified } = await connect(tools);
    const names = async () => (await client.listTools()).tools.map((tool) => tool.name);
    expect(await names()).toEqual([]);

    const trap = { now: false };
    await registry.load('acme.notes', async () => handle('1.0.0', trap));
    await notified.after(0);
    expect(await names()).toEqual(['acme_notes__ping', 'acme_notes__word_count']);
    expect(textOf(await client.callTool({ name: 'acme_notes__ping' }))).toBe('ping from 1.0.0');

    await registry.reload('acme.notes', async () => handle('1.0.1', trap));
    await notified.after(1);
    const [ping] = (await client.listTools()).tools;
    expect(ping?.description).toContain('(acme.notes v1.0.1)');

    trap.now = true;
    const trapped = await client.callTool({ name: 'acme_notes__word_count', arguments: {} });
    expect(textOf(trapped)).toBe(
      'acme.notes word_count: [trap] plugin acme.notes@1.0.1 (handle_command) trapped: unreachable',
    );
    await notified.after(2);
    expect(await names()).toEqual([]);

    await registry.unload('acme.notes');
    await notified.after(3);
    expect(changes).toEqual(['loaded', 'reloaded', 'quarantined', 'unloaded']);
  });
});
