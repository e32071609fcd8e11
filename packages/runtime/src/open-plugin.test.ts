import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openPlugin, openProtocolPluginFrom } from './open-plugin.js';

const bytes = (path: string) =>
  new Uint8Array(readFileSync(new URL(`../../guests/corpus/${path}/plugin.wasm`, import.meta.url)));

describe('openPlugin (generic layer)', () => {
  it('calls any export of a plain Extism plugin with bytes or text', async () => {
    const plugin = await openPlugin({ source: { bytes: bytes('plain/wat-plain') }, pluginId: 'plain' });
    expect(plugin.hasExport('reverse')).toBe(true);
    expect(await plugin.callText('reverse', 'héllo')).toBe(
      new TextDecoder().decode(new TextEncoder().encode('héllo').reverse()),
    );
    expect(await plugin.call('echo', new Uint8Array([0, 255, 7]))).toEqual(new Uint8Array([0, 255, 7]));
    expect(await plugin.callText('byte_length', 'Zoë')).toBe('4');
    expect(plugin.loaded.memory.action).toBe('unchanged');
    await plugin.close();
  });

  it('refuses a module that imports what the host does not provide, before instantiating it', async () => {
    await expect(
      openPlugin({
        source: { bytes: bytes('hostile/hostile-import-unknown') },
        pluginId: 'hostile.import-unknown',
      }),
    ).rejects.toMatchObject({
      code: 'import_not_allowed',
      message: expect.stringContaining('host_format_disk'),
    });
  });

  it('caps a module with no declared memory maximum', async () => {
    const plugin = await openPlugin({
      source: { bytes: bytes('hostile/hostile-memory-unbounded') },
      limits: { memoryMaxPages: 32 },
    });
    expect(plugin.loaded.memory).toMatchObject({ action: 'capped', effectiveMax: 32 });
    await plugin.close();
  });
});

describe('openProtocolPluginFrom (protocol layer)', () => {
  it('loads a golden guest by bytes and runs its commands', async () => {
    const plugin = await openProtocolPluginFrom({
      source: { bytes: bytes('golden/c-protocol') },
      hostAppVersion: '1.0.0',
      expectedId: 'plinth-golden.c',
      bundle: { host_log: () => '' },
    });
    expect(plugin.id).toBe('plinth-golden.c');
    expect(await plugin.command('greet', { name: 'Zoë' })).toEqual({ success: true, data: 'Hello, Zoë!' });
    await plugin.shutdown();
  });

  it('refuses a plain plugin as a protocol plugin', async () => {
    await expect(
      openProtocolPluginFrom({
        source: { bytes: bytes('plain/wat-plain') },
        hostAppVersion: '1.0.0',
        expectedId: 'acme.plain',
      }),
    ).rejects.toMatchObject({ code: 'manifest_invalid' });
  });
});
