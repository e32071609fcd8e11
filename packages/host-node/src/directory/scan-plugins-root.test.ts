import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginDirectoryError } from './directory-error.js';
import { makeRoot } from './__fixtures__/plugins-root.js';
import { scanPluginsRoot } from './scan-plugins-root.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ root, cleanup } = await makeRoot()));
afterEach(() => cleanup());

describe('scanPluginsRoot', () => {
  it('lists plugin folders and reports the others without loading anything', async () => {
    await mkdir(join(root, 'acme.good'));
    await writeFile(join(root, 'acme.good', 'plugin.wasm'), 'not even wasm: the scan does not load');
    await mkdir(join(root, 'acme.empty'));
    await mkdir(join(root, 'Not_An_Id'));
    await writeFile(join(root, 'Not_An_Id', 'plugin.wasm'), '');
    await writeFile(join(root, 'stray.txt'), 'hello');
    await mkdir(join(root, '.install-abc'));

    const { entries, problems } = await scanPluginsRoot(root);

    expect(entries).toEqual([
      {
        id: 'acme.good',
        dir: join(root, 'acme.good'),
        modulePath: join(root, 'acme.good', 'plugin.wasm'),
        manifestPath: join(root, 'acme.good', 'manifest.json'),
        configPath: join(root, 'acme.good', 'config.json'),
        signaturePath: join(root, 'acme.good', 'plugin.wasm.sig'),
      },
    ]);
    expect(problems.map(({ name, code, message }) => ({ name, code, message }))).toEqual([
      {
        name: 'Not_An_Id',
        code: 'invalid_name',
        message:
          'plugin folder "Not_An_Id" is not a plugin id (lowercase [a-z0-9-] segments joined by ".", at least two)',
      },
      { name: 'acme.empty', code: 'missing_module', message: 'plugin folder acme.empty has no plugin.wasm' },
      {
        name: 'stray.txt',
        code: 'not_a_directory',
        message: `${join(root, 'stray.txt')} is not a directory; a plugin is a folder named after its id`,
      },
    ]);
  });

  it('reports a plugin.wasm that is a folder', async () => {
    await mkdir(join(root, 'acme.odd', 'plugin.wasm'), { recursive: true });
    const { entries, problems } = await scanPluginsRoot(root);
    expect(entries).toEqual([]);
    expect(problems).toMatchObject([
      {
        name: 'acme.odd',
        code: 'missing_module',
        message: `${join(root, 'acme.odd', 'plugin.wasm')} is not a file`,
      },
    ]);
  });

  it('throws a typed error for a root it cannot read', async () => {
    const missing = join(root, 'nope');
    const error = await scanPluginsRoot(missing).catch((caught: unknown) => caught);
    expect(PluginDirectoryError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'root_unreadable', code: 'load_failed', path: missing });
    expect((error as Error).message).toMatch(new RegExp(`^cannot read the plugins root ${missing}: ENOENT`));
  });
});
