import { readFileSync } from 'node:fs';
import { PlinthError, type GuestManifest } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { scriptedGuest, testLane, type ScriptedExport, type SpyLane } from './__fixtures__/scripted-guest.js';
import { openProtocolPlugin, type ProtocolPluginOptions } from './protocol-plugin.js';
import type { ProtocolLogEntry } from './protocol-log.js';

const guest = (path: string) =>
  readFileSync(new URL(`../../../guests/corpus/${path}/plugin.wasm`, import.meta.url));

const MANIFEST = {
  id: 'acme.scripted',
  name: 'Scripted',
  version: '1.2.3',
  description: 'A scripted test guest.',
  capabilities: ['custom_commands'],
  commands: ['ping'],
};

async function scripted(exports: Record<string, ScriptedExport>): Promise<SpyLane> {
  return testLane(await scriptedGuest(exports));
}

async function failure(lane: SpyLane, options: Partial<ProtocolPluginOptions> = {}): Promise<PlinthError> {
  const error = await openProtocolPlugin({
    lane,
    hostAppVersion: '1.4.0',
    initContext: { workspace_root: null },
    ...options,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!PlinthError.isInstance(error)) throw new Error(`expected a PlinthError, got ${String(error)}`);
  expect(lane.closed).toBe(true);
  return error;
}

describe('hostile manifests refuse the load with a typed error', () => {
  it('hostile-protocol-version: incompatible_protocol naming the plugin, version 2 and the window', async () => {
    const lane = await testLane(guest('hostile/hostile-protocol-version'));
    const error = await failure(lane);
    expect(error.code).toBe('incompatible_protocol');
    expect(error.message).toBe(
      'plugin hostile.protocol-version (manifest) declares protocol_version 2; this host supports [1,1]',
    );
    expect(error.context).toMatchObject({ pluginId: 'hostile.protocol-version', exportName: 'manifest' });
    expect(lane.calls).toEqual(['manifest']);
  });

  it('hostile-min-app-version: incompatible_host_version naming both versions', async () => {
    const lane = await testLane(guest('hostile/hostile-min-app-version'));
    const error = await failure(lane);
    expect(error.code).toBe('incompatible_host_version');
    expect(error.message).toMatch(
      /^plugin hostile\.min-app-version@0\.1\.0 \(manifest\) requires app version 999\.0\.0 or later; this host is version 1\.4\.0$/,
    );
    expect(lane.calls).toEqual(['manifest']);
  });

  it('hostile-id-mismatch: id_mismatch naming the directory and the manifest id', async () => {
    const lane = await testLane(guest('hostile/hostile-id-mismatch'));
    const error = await failure(lane, { expectedId: 'hostile.id-mismatch' });
    expect(error.code).toBe('id_mismatch');
    expect(error.message).toContain('installed as hostile.id-mismatch');
    expect(error.message).toContain('declares the id someone-else.plugin');
    expect(error.context.pluginId).toBe('hostile.id-mismatch');
    expect(lane.calls).toEqual(['manifest']);
  });

  it('hostile-manifest-invalid-json: manifest_invalid saying it is not valid JSON', async () => {
    const lane = await testLane(guest('hostile/hostile-manifest-invalid-json'));
    const error = await failure(lane, { expectedId: 'hostile.manifest-invalid-json' });
    expect(error.code).toBe('manifest_invalid');
    expect(error.message).toMatch(
      /^plugin hostile\.manifest-invalid-json \(manifest\) returned an invalid manifest: Invalid GuestManifest: at \(root\): not valid JSON/,
    );
    expect(lane.calls).toEqual(['manifest']);
  });

  it('hostile-manifest-huge: output_too_large with the size and the limit, before parsing', async () => {
    const lane = await testLane(guest('hostile/hostile-manifest-huge'));
    const error = await failure(lane, { expectedId: 'hostile.manifest-huge' });
    expect(error.code).toBe('output_too_large');
    expect(error.message).toBe(
      'plugin hostile.manifest-huge (manifest) returned a manifest of 10485935 bytes; the limit is 1048576 bytes',
    );
    expect(error.context).toMatchObject({ exportName: 'manifest', limit: 'manifestMaxBytes' });
  });

  it('a raised manifestMaxBytes reads the huge manifest', async () => {
    const lane = await testLane(guest('hostile/hostile-manifest-huge'));
    const plugin = await openProtocolPlugin({
      lane,
      hostAppVersion: '1.0.0',
      initContext: { workspace_root: null },
      manifestMaxBytes: 16 * 1024 * 1024,
    });
    expect(plugin.id).toBe('hostile.manifest-huge');
    await plugin.shutdown();
  });

  it('a plain Extism guest without a manifest export is refused', async () => {
    const lane = await testLane(guest('plain/wat-plain'));
    const error = await failure(lane, { expectedId: 'acme.plain' });
    expect(error.code).toBe('manifest_invalid');
    expect(error.message).toBe(
      'plugin acme.plain (manifest) does not export manifest, so it is not a Plinth protocol guest',
    );
    expect(lane.calls).toEqual([]);
  });
});

describe('manifest output problems', () => {
  it('no output is manifest_invalid', async () => {
    const error = await failure(await scripted({ manifest: { silent: true } }));
    expect(error.code).toBe('manifest_invalid');
    expect(error.message).toBe('plugin (manifest) set no output; a GuestManifest is required');
  });

  it('invalid UTF-8 is manifest_invalid', async () => {
    const bytes = Uint8Array.from([...new TextEncoder().encode('{"id":"'), 0xc3, 0x28, 0x22, 0x7d]);
    const error = await failure(await scripted({ manifest: { output: bytes } }), { expectedId: 'acme.x' });
    expect(error.code).toBe('manifest_invalid');
    expect(error.message).toBe('plugin acme.x (manifest) returned a manifest that is not valid UTF-8');
  });

  it('field problems are listed, naming the plugin by its manifest id when no directory is known', async () => {
    const manifest = JSON.stringify({ ...MANIFEST, version: 'one', capabilities: undefined });
    const error = await failure(await scripted({ manifest: { output: manifest } }));
    expect(error.code).toBe('manifest_invalid');
    expect(error.message).toContain('plugin acme.scripted (manifest) returned an invalid manifest:');
    expect(error.message).toContain('at version: version must be a semantic version such as "1.2.3"');
    expect(error.message).toContain('at capabilities: is required');
    expect(error.cause).toMatchObject({ name: 'ProtocolError' });
  });

  it('protocol_version 0 is incompatible_protocol too', async () => {
    const manifest = JSON.stringify({ ...MANIFEST, protocol_version: 0 });
    const error = await failure(await scripted({ manifest: { output: manifest } }));
    expect(error.code).toBe('incompatible_protocol');
    expect(error.message).toContain('declares protocol_version 0');
  });

  it('a guest error in manifest fails the load as guest_error', async () => {
    const error = await failure(await scripted({ manifest: { error: 'no manifest today' } }), {
      expectedId: 'acme.x',
    });
    expect(error.code).toBe('guest_error');
    expect(error.message).toBe('plugin acme.x (manifest) failed: no manifest today');
  });
});

describe('host version and warnings', () => {
  const withMin = (min: string) => JSON.stringify({ ...MANIFEST, min_app_version: min });

  it.each([
    ['1.4.0', '1.4.0', true],
    ['1.4.0', '1.3.9', true],
    ['1.4.0', '1.4.1', false],
    ['1.4.0-beta.1', '1.4.0', false],
    ['2.0.0', '1.99.0', true],
  ])('host %s with min_app_version %s loads: %s', async (host, min, loads) => {
    const lane = await scripted({ manifest: { output: withMin(min) } });
    const result = await openProtocolPlugin({
      lane,
      hostAppVersion: host,
      initContext: { workspace_root: null },
    }).then(
      async (plugin) => {
        await plugin.shutdown();
        return true;
      },
      (e: PlinthError) => e.code,
    );
    expect(result).toBe(loads ? true : 'incompatible_host_version');
  });

  it('refuses a host app version that is not semver, before calling the guest', async () => {
    const lane = await scripted({ manifest: { output: JSON.stringify(MANIFEST) } });
    await expect(
      openProtocolPlugin({ lane, hostAppVersion: 'v1', initContext: { workspace_root: null } }),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message:
          'ProtocolPlugin.open: option `hostAppVersion` must be a semantic version such as "1.2.3" (got "v1")',
      }),
    );
    expect(lane.calls).toEqual([]);
    expect(lane.closed).toBe(true);
  });

  it('logs manifest warnings and exposes them', async () => {
    const manifest = JSON.stringify({ ...MANIFEST, capabilities: ['telepathy'], commands: ['ping'] });
    const logs: ProtocolLogEntry[] = [];
    const plugin = await openProtocolPlugin({
      lane: await scripted({ manifest: { output: manifest } }),
      hostAppVersion: '1.0.0',
      initContext: { workspace_root: null },
      log: (entry) => logs.push(entry),
    });
    expect(plugin.warnings.map((w) => w.message)).toEqual([
      'unknown capability "telepathy" ignored',
      'commands are listed but the custom_commands capability is not declared; the host will not route them',
    ]);
    expect(logs).toEqual([
      {
        level: 'warn',
        message:
          'plugin acme.scripted@1.2.3 (manifest) at capabilities[0]: unknown capability "telepathy" ignored',
        pluginId: 'acme.scripted',
        pluginVersion: '1.2.3',
        exportName: 'manifest',
      },
      expect.objectContaining({
        level: 'warn',
        message: expect.stringContaining('at capabilities: commands are listed'),
      }),
    ]);
    await plugin.shutdown();
  });
});

describe('a cached manifest', () => {
  const cached = {
    ...MANIFEST,
    protocol_version: 1,
    capabilities: ['custom_commands'],
    ui: [],
    cli: [],
    conversions: [],
    server_functions: [],
  } satisfies GuestManifest;

  it('skips the manifest call', async () => {
    const lane = await scripted({ manifest: { trap: true }, init: { silent: true } });
    const plugin = await openProtocolPlugin({
      lane,
      hostAppVersion: '1.0.0',
      initContext: { workspace_root: null },
      cachedManifest: cached,
    });
    expect(plugin.id).toBe('acme.scripted');
    expect(lane.calls).toEqual(['init']);
    await plugin.shutdown();
  });

  it('is still checked against the host version and the directory name', async () => {
    const lane = await scripted({ manifest: { trap: true } });
    const error = await failure(lane, { cachedManifest: cached, expectedId: 'acme.other' });
    expect(error.code).toBe('id_mismatch');
    const old = await failure(await scripted({}), {
      cachedManifest: { ...cached, min_app_version: '2.0.0' },
    });
    expect(old.code).toBe('incompatible_host_version');
  });
});
