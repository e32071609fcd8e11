// @plinth/guest-as's manifest builder against @plinth/protocol: a guest that calls every CLI hint method is
// compiled (asc type-checks only the code a module uses) and its hints are read back; the README's table of
// permission types is the protocol's list.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_VALUE_TYPES, PERMISSION_TYPES, cliCommandSchema } from '@plinth/protocol';
import { createPluginHarness } from '@plinth/testkit/harness';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
// assemblyscript and the workspace link to @plinth/guest-as are @plinth/guests' (it builds the golden guests).
const guests = join(root, 'packages', 'guests');
const asc = createRequire(join(guests, 'package.json')).resolve('assemblyscript/bin/asc.js');
mkdirSync(join(root, '.plinth-tmp'), { recursive: true });
const scratch = mkdtempSync(join(root, '.plinth-tmp', 'guest-as-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PLUGIN = `
import {
  CliArg, CliCommand, CliValueType, CommandRequest, CommandResponse, Manifest, okEmpty, plinthAbort, runCommand,
  runManifest,
} from "@plinth/guest-as";

function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  plinthAbort(message, fileName, line, column);
}

export function manifest(): i32 {
  return runManifest(
    new Manifest("acme.hints", "Hints", "1.0.0", "Every CLI hint field.")
      .capability("custom_commands")
      .command("search").command("sync")
      .cli(new CliCommand("search", "Search notes").runs("search")
        .longAbout("Search every note for a phrase.")
        .alias("find").alias("grep").alias("find")
        .noWorkspace()
        .arg(new CliArg("query", "What to look for").required().short("q"))
        .arg(new CliArg("limit", "At most this many", CliValueType.Integer).defaultValue("10").long("max"))
        .arg(new CliArg("score", "Lowest score", CliValueType.Float))
        .arg(new CliArg("exact", "Whole words only", CliValueType.Boolean))
        .arg(new CliArg("under", "A folder", CliValueType.Path))
        .arg(new CliArg("verbose", "Say more").flag())
        .subcommand(new CliCommand("titles", "Titles only").runs("search")))
      .cli(new CliCommand("open", "Open in the app").nativeHandler("open_note")),
  );
}

export function handle_command(): i32 {
  return runCommand(dispatch);
}

function dispatch(request: CommandRequest): CommandResponse {
  return okEmpty();
}
`;

describe('@plinth/guest-as CLI hints', () => {
  it('offers the protocol value types, in its order', () => {
    const source = readFileSync(join(root, 'packages', 'guest-as', 'assembly', 'cli.ts'), 'utf8');
    const members = /export enum CliValueType \{([^}]*)\}/.exec(source)?.[1] ?? '';
    const names = members
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^\w+,$/.test(line))
      .map((line) => line.slice(0, -1));
    expect(names).toEqual([...CLI_VALUE_TYPES]);
  });

  it('builds hints the protocol schema reads back unchanged, with every field', async () => {
    writeFileSync(join(scratch, 'plugin.ts'), PLUGIN);
    execFileSync(
      process.execPath,
      [
        asc,
        'plugin.ts',
        '--outFile',
        'plugin.wasm',
        '--runtime',
        'incremental',
        '--maximumMemory',
        '16',
        '--use',
        'abort=plugin/abort',
        '--path',
        join(guests, 'node_modules'),
      ],
      { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const harness = await createPluginHarness({ wasm: join(scratch, 'plugin.wasm') });
    try {
      const { cli } = await harness.manifest();
      // The loader keeps a hint only when the schema accepts it, so both hints mean none was dropped.
      expect(cli).toHaveLength(2);
      for (const hint of cli) expect(cliCommandSchema.parse(hint)).toEqual(hint);
      expect(cli[0]).toEqual({
        name: 'search',
        about: 'Search notes',
        long_about: 'Search every note for a phrase.',
        aliases: ['find', 'grep'],
        command_name: 'search',
        requires_workspace: false,
        args: [
          {
            name: 'query',
            help: 'What to look for',
            value_type: 'String',
            required: true,
            is_flag: false,
            short: 'q',
          },
          {
            name: 'limit',
            help: 'At most this many',
            value_type: 'Integer',
            required: false,
            is_flag: false,
            default_value: '10',
            long: 'max',
          },
          { name: 'score', help: 'Lowest score', value_type: 'Float', required: false, is_flag: false },
          { name: 'exact', help: 'Whole words only', value_type: 'Boolean', required: false, is_flag: false },
          { name: 'under', help: 'A folder', value_type: 'Path', required: false, is_flag: false },
          { name: 'verbose', help: 'Say more', value_type: 'Boolean', required: false, is_flag: true },
        ],
        subcommands: [
          {
            name: 'titles',
            about: 'Titles only',
            command_name: 'search',
            aliases: [],
            args: [],
            subcommands: [],
            requires_workspace: true,
          },
        ],
      });
      expect(cli[1]).toEqual({
        name: 'open',
        about: 'Open in the app',
        native_handler: 'open_note',
        aliases: [],
        args: [],
        subcommands: [],
        requires_workspace: true,
      });
    } finally {
      await harness.close();
    }
  }, 60_000);
});

describe('@plinth/guest-as README', () => {
  it('lists every permission type requestPermission takes, once, in the protocol order', () => {
    const readme = readFileSync(join(root, 'packages', 'guest-as', 'README.md'), 'utf8');
    const start = readme.indexOf('## Permissions');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const types = [...section.matchAll(/^\| `(\w+)` /gm)].map((match) => match[1]);
    expect(types).toEqual([...PERMISSION_TYPES]);
  });
});
