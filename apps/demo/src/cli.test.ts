import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { NodeHostPermissionRequest } from '@plinth/host-node';
import { guestPath } from '@plinth/guests';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { askConsent, grantCommands } from './plugin-commands.js';
import { SAMPLE_WORKSPACE } from './workspace.js';

const hostile = (name: string) => guestPath(name);
const dir = mkdtempSync(join(tmpdir(), 'plinth-demo-cli-'));
const workspace = join(dir, 'ws');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function demo(...argv: string[]): Promise<Outcome> {
  return demoWith({}, ...argv);
}

async function demoWith(
  extra: {
    signal?: AbortSignal;
    onStdout?: (text: string) => void;
    interactive?: boolean;
    prompt?: (question: string) => Promise<string | undefined>;
  },
  ...argv: string[]
) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(['--workspace', workspace, ...argv], {
    stdout: (text) => {
      stdout.push(text);
      extra.onStdout?.(text);
    },
    stderr: (text) => void stderr.push(text),
    env: {},
    ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.interactive === undefined ? {} : { interactive: extra.interactive }),
    ...(extra.prompt ? { prompt: extra.prompt } : {}),
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

const sampleFiles = () => readdirSync(SAMPLE_WORKSPACE, { recursive: true }).map(String).sort();
const sampleBefore = sampleFiles();
const policyBefore = readFileSync(join(SAMPLE_WORKSPACE, 'notes', 'README.md'), 'utf8');

describe('plinth-demo on a seeded copy of the sample workspace', { timeout: 60_000 }, () => {
  it('seeds the workspace and lists the golden plugins with their permissions in words', async () => {
    const { code, stdout, stderr } = await demo('list');
    expect(code).toBe(0);
    expect(stderr).toContain(`seeded a new workspace at ${workspace} from the sample`);
    expect(stderr).toContain('loading plinth-golden.c (1/5)');
    expect(stderr).toContain('loaded plinth-golden.wat');
    expect(stdout).toContain('plinth-golden.notes 1.0.0 [active] — Notes (AssemblyScript golden)');
    expect(stdout).toContain(
      '  commands: ping, echo, greet, time, word_count, daily_note, tag_index, last_index, emit',
    );
    expect(stdout).toContain(
      '  may:      read any file (except private/), edit files in Daily/, create files in Daily/, use plugin storage (64 KiB per value)',
    );
    expect(stdout).toMatch(
      /plinth-golden\.c 1\.0\.0 \[active\][^\n]*\n {2}commands: ping, echo, greet, time\n/,
    );
    expect(existsSync(join(workspace, 'plinth', 'plugins', 'plinth-golden.rust', 'plugin.wasm'))).toBe(true);
    expect(stdout).toContain(
      [
        'plinth-golden.http 1.0.0 [active] — HTTP fetch (AssemblyScript golden)',
        '  commands: ping, echo, greet, time, fetch, fetch_json',
        '  runs:     isolated (a worker), metered (fuel) — it may use host_http_request (granted http_requests), which answers asynchronously',
        '  may:      make HTTP requests to 127.0.0.1 and localhost, use plugin storage (1 MiB per value)',
        '  signed:   unsigned — who built it is unknown',
        '',
      ].join('\n'),
    );
  });

  it('fetches from a server on loopback with the seeded HTTP plugin, and is refused any other host', async () => {
    const server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`hello from ${request.url ?? '?'}`);
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    const { port } = server.address() as AddressInfo;
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const fetched = await demo(
          'run',
          'plinth-golden.http',
          'fetch',
          `{"url":"http://${host}:${port}/note"}`,
        );
        expect(fetched.stderr).not.toContain('failed');
        expect(JSON.parse(fetched.stdout)).toEqual({ status: 200, body: 'hello from /note' });
        expect(fetched.code).toBe(0);
      }
      // Refused by the policy before any request is made: the demo never reaches the internet.
      const away = await demo('run', 'plinth-golden.http', 'fetch', '{"url":"https://example.com/"}');
      expect(away.code).toBe(1);
      expect(away.stderr).toContain(
        "plinth-demo run: plinth-golden.http fetch failed [permission_denied]: host_http_request: Permission not configured for plugin 'plinth-golden.http': http_requests on 'https://example.com/'.",
      );
    } finally {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    }
  });

  it('prints a manifest', async () => {
    const { code, stdout } = await demo('manifest', 'plinth-golden.wat');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      id: 'plinth-golden.wat',
      commands: ['ping', 'echo', 'greet', 'time'],
    });
  });

  it('runs a command and prints its data', async () => {
    const { code, stdout } = await demo('run', 'plinth-golden.notes', 'word_count', '{"path":"ideas.md"}');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ path: 'ideas.md', words: 28 });
    expect((await demo('run', 'plinth-golden.c', 'ping')).stdout).toBe('pong\n');
  });

  it('reports an excluded path as denied with exit 1, and warns that a grant under an exclude changes nothing', async () => {
    const params = '{"path":"private/diary.txt"}';
    const denied = await demo('run', 'plinth-golden.notes', 'word_count', params);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      "plinth-demo run: plinth-golden.notes word_count failed [permission_denied]: host_read_file: Permission denied for plugin 'plinth-golden.notes': read_files on 'private/diary.txt'\n",
    );
    const granted = await demo('grant', 'plinth-golden.notes', 'read_files', 'private');
    expect(granted.code).toBe(0);
    expect(granted.stderr).toContain(
      "warning: Permission denied for plugin 'plinth-golden.notes': read_files on 'private' — an exclude in the policy wins over any include",
    );
    expect((await demo('run', 'plinth-golden.notes', 'word_count', params)).code).toBe(1);
  });

  it('revokes a rule (the command is then refused) and grants it back (the command works again)', async () => {
    const params = '{"date":"2026-12-01","text":"Tried the demo"}';
    const revoked = await demo('revoke', 'plinth-golden.notes', 'create_files');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('revoked every create_files scope from plinth-golden.notes');
    expect(revoked.stdout).not.toContain('create files');
    const refused = await demo('run', 'plinth-golden.notes', 'daily_note', params);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "host_write_file: Permission not configured for plugin 'plinth-golden.notes': create_files on 'Daily/2026-12-01.md'. Add plugins.plinth-golden.notes.permissions.create_files to the policy.",
    );
    const granted = await demo('grant', 'plinth-golden.notes', 'create_files', 'Daily');
    expect(granted.stdout).toBe(
      'granted plinth-golden.notes create_files on "Daily"\n  plinth-golden.notes may now: read any file (except private/), edit files in Daily/, create files in Daily/, use plugin storage (64 KiB per value)\n',
    );
    const written = await demo('run', 'plinth-golden.notes', 'daily_note', params);
    expect(JSON.parse(written.stdout)).toEqual({ path: 'Daily/2026-12-01.md', created: true, words: 5 });
    expect(readFileSync(join(workspace, 'notes', 'Daily', '2026-12-01.md'), 'utf8')).toBe(
      '# 2026-12-01\nTried the demo\n',
    );
  });

  it('indexes tags across the notes, skipping what it may not read', async () => {
    const { code, stdout } = await demo('run', 'plinth-golden.notes', 'tag_index');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      tags: { plugin: ['ideas.md', 'projects/plinth.md'], review: ['Daily/2026-11-30.md'] },
    });
  });

  it.each([
    [
      ['run', 'acme.nope', 'ping'],
      1,
      'plinth-demo run: unknown plugin "acme.nope"; installed: plinth-golden.c, plinth-golden.http, plinth-golden.notes, plinth-golden.rust, plinth-golden.wat',
    ],
    [
      ['run', 'plinth-golden.c', 'fly'],
      1,
      'plinth-demo run: plugin "plinth-golden.c" has no command "fly"; its commands: ping, echo, greet, time',
    ],
    [
      ['run', 'plinth-golden.c', 'echo', '{"a":1,}'],
      2,
      'plinth-demo run: params are not valid JSON: Expected double-quoted property name at line 1, column 8 (position 7)\n    {"a":1,}\n           ^',
    ],
    [['run', 'plinth-golden.c'], 2, 'plinth-demo run: missing the command name'],
    [
      ['grant', 'plinth-golden.c', 'format_disk', 'all'],
      2,
      'plinth-demo grant: unknown permission type "format_disk"; known: read_files, edit_files',
    ],
    [
      ['grant', 'plinth-golden.c', 'read_files'],
      2,
      'plinth-demo grant: missing the scope (a path, host name or "all")',
    ],
    [['revoke', 'acme.nope', 'read_files'], 1, 'plinth-demo revoke: unknown plugin "acme.nope"'],
    [['install'], 2, 'plinth-demo install: missing the .wasm file to install'],
    [['uninstall', 'acme.nope'], 1, 'plinth-demo uninstall: unknown plugin "acme.nope"'],
    [['list', '--sha256', 'x'], 2, 'plinth-demo list: unknown option --sha256'],
    [['list', '--yes'], 2, 'plinth-demo list: unknown option --yes'],
    [
      ['install', 'x.wasm', '--ask', '--grant-requested'],
      2,
      'plinth-demo install: --ask and --yes contradict each other; pass one',
    ],
    [['list', 'extra'], 2, 'plinth-demo list: too many arguments'],
    [['frobnicate'], 2, 'plinth-demo frobnicate: unknown command "frobnicate"'],
    [['mcp', '--port', '80'], 2, 'plinth-demo mcp: --port needs --http'],
    [['mcp', '--dashboard'], 2, 'plinth-demo mcp: --dashboard needs --http'],
    [['mcp', '--http', '--dashboard-port', '1'], 2, 'plinth-demo mcp: --dashboard-port needs --dashboard'],
    [['dashboard', '--http'], 2, 'plinth-demo dashboard: unknown option --http'],
    [['dashboard', '--port', '70000'], 2, 'plinth-demo dashboard: --port must be an integer from 0 to 65535'],
    [['logs', '--lines=-1'], 2, 'plinth-demo logs: --lines must be an integer from 0 to 100000 (got "-1")'],
    [['--lane', 'fast', 'list'], 2, '--lane must be "auto", "isolated" or "in-thread" (got "fast")'],
  ])('rejects %j with exit %i and a clear message', async (argv, exit, message) => {
    const { code, stderr, stdout } = await demo(...argv);
    expect(code).toBe(exit);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
  });

  it('refuses params nested 60,000 levels deep with exit 2 and a typed message; the plugin still answers', async () => {
    const deep = `${'['.repeat(60_000)}1${']'.repeat(60_000)}`;
    const refused = await demo('run', 'plinth-golden.c', 'echo', deep);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'plinth-demo run: [invalid_params] params nest 60000 levels deep; the limit is 256: level 257 opens at line 1, column 257 (position 256)',
    );
    expect(refused.stderr).not.toContain('Maximum call stack');
    expect(refused.stdout).toBe('');
    const echoed = await demo('run', 'plinth-golden.c', 'echo', '{"a":[1]}');
    expect(echoed).toMatchObject({ code: 0, stdout: '{\n  "a": [\n    1\n  ]\n}\n' });
  });

  it('installs a plugin with progress, refuses a wrong sha256, and uninstalls it', async () => {
    // The seeded HTTP plugin and its grant are taken out first, so it installs as new, asking again.
    expect((await demo('revoke', 'plinth-golden.http', 'http_requests')).code).toBe(0);
    expect((await demo('uninstall', 'plinth-golden.http')).code).toBe(0);
    const wasm = guestPath('as-http');
    const wrong = await demo('install', wasm, '--sha256', '0'.repeat(64));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(
      'sha256 mismatch: expected 0000000000000000000000000000000000000000000000000000000000000000, got',
    );
    const { code, stdout, stderr } = await demo('install', wasm);
    expect(code).toBe(0);
    for (const step of ['reading', 'verifying', 'checking', 'writing']) {
      expect(stderr).toContain(`installing ${wasm}: ${step}`);
    }
    expect(stdout).toMatch(/^installed plinth-golden\.http 1\.0\.0 \(sha256 [0-9a-f]{64}\)\n/);
    // No terminal and no flag: nothing is granted, and the output says what it asks for and how to grant it.
    expect(stdout).toContain(
      [
        '  not granted; it asks to:',
        '    - make HTTP requests to any host — Fetch the URLs you ask for.',
        `  to grant: plinth-demo install ${wasm} --yes, or one by one:`,
        '    plinth-demo grant plinth-golden.http http_requests all',
        '',
      ].join('\n'),
    );
    expect(readFileSync(join(workspace, 'notes', 'README.md'), 'utf8')).not.toContain('http_requests');
    expect((await demo('list')).stdout).toContain(
      [
        'plinth-golden.http 1.0.0 [active] — HTTP fetch (AssemblyScript golden)',
        '  commands: ping, echo, greet, time, fetch, fetch_json',
        '  runs:     in-thread, metered (fuel) — every host function it may use answers synchronously',
        '  may:      use plugin storage (1 MiB per value)',
        '  asks to:  make HTTP requests to any host — Fetch the URLs you ask for. (not granted)',
        '  grant:    plinth-demo grant plinth-golden.http http_requests all',
        '',
      ].join('\n'),
    );
    const granted = await demo('install', wasm, '--yes');
    expect(granted.code).toBe(0);
    expect(granted.stdout).toContain('unchanged plinth-golden.http');
    expect(granted.stdout).toContain('  granted what it asks for: http_requests\n');
    expect(granted.stdout).toContain('  may: make HTTP requests to any host');
    const afterGrant = (await demo('list')).stdout;
    expect(afterGrant).not.toContain('(not granted)');
    // Granted HTTP, whose host function answers asynchronously: the plugin now runs in a worker.
    expect(afterGrant).toContain(
      '  runs:     isolated (a worker), metered (fuel) — it may use host_http_request (granted http_requests), which answers asynchronously\n',
    );
    // The policy outlives the plugin; taken back so the next install is asked again.
    expect((await demo('revoke', 'plinth-golden.http', 'http_requests')).code).toBe(0);
    const removed = await demo('uninstall', 'plinth-golden.http');
    expect(removed).toMatchObject({ code: 0, stdout: 'uninstalled plinth-golden.http\n' });
    expect(existsSync(join(workspace, 'plinth', 'plugins', 'plinth-golden.http'))).toBe(false);
    const notWasm = join(dir, 'notes.wasm');
    writeFileSync(notWasm, 'not wasm');
    expect((await demo('install', notWasm)).code).toBe(1);
  });

  it('refuses a hostile module at install and survives a trapping one at run time', async () => {
    const forbidden = await demo('install', hostile('hostile-import-env'));
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('plinth-demo install: [import_not_allowed] Cannot load module from');
    expect(forbidden.stderr).toContain('The module imports function "abort" from "env"');
    expect((await demo('install', hostile('hostile-trap-unreachable'))).code).toBe(0);
    const trapped = await demo('run', 'hostile.trap-unreachable', 'crash');
    expect(trapped.code).toBe(1);
    expect(trapped.stderr).toContain(
      'plinth-demo run: [trap] plugin hostile.trap-unreachable@0.1.0 (handle_command) trapped: unreachable',
    );
    expect((await demo('run', 'plinth-golden.c', 'ping')).stdout).toBe('pong\n');
    expect((await demo('uninstall', 'hostile.trap-unreachable')).code).toBe(0);
  });

  it('shows guest log lines and plugin events, bounded or followed until stopped', async () => {
    await demo('run', 'plinth-golden.notes', 'greet', '{"name":"Zoë"}');
    await demo('run', 'plinth-golden.notes', 'emit', '{"event_type":"demo.hello","payload":{"n":1}}');
    const logs = await demo('logs', '--lines', '200');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/ info {2}guest plinth-golden\.notes: greeting Zoë\n/);
    const events = await demo('events', '--lines', '1');
    expect(events.stdout).toMatch(
      /^\S+ plugin_event plinth-golden\.notes \{"payload":\{"event_type":"demo\.hello","payload":\{"n":1\}\}\}\n$/,
    );

    const controller = new AbortController();
    let seen = '';
    const follow = demoWith(
      {
        signal: controller.signal,
        onStdout: (text) => {
          seen += text;
          if (text.includes('"n":2')) controller.abort();
        },
      },
      'events',
      '--follow',
      '--lines',
      '0',
    );
    await demo('run', 'plinth-golden.notes', 'emit', '{"event_type":"demo.hello","payload":{"n":2}}');
    expect((await follow).code).toBe(0);
    expect(seen).toMatch(
      /^\S+ plugin_event plinth-golden\.notes \{"payload":\{"event_type":"demo\.hello","payload":\{"n":2\}\}\}\n$/,
    );
  });

  it('never touches the committed sample, and refuses to use it as the workspace', async () => {
    const stderr: string[] = [];
    const code = await main(['--workspace', SAMPLE_WORKSPACE, 'list'], {
      stdout: () => {},
      stderr: (t) => void stderr.push(t),
    });
    expect(code).toBe(1);
    expect(stderr.join('')).toContain(
      'is the committed sample workspace; pass another --workspace directory',
    );
    expect(sampleFiles()).toEqual(sampleBefore);
    expect(readFileSync(join(SAMPLE_WORKSPACE, 'notes', 'README.md'), 'utf8')).toBe(policyBefore);
  });
});

describe('consent to what an installed plugin asks for', { timeout: 60_000 }, () => {
  const request: NodeHostPermissionRequest = {
    pluginId: 'acme.fetch',
    version: '2.0.0',
    name: 'Fetcher',
    permissions: {
      http_requests: { include: ['all'], exclude: [] },
      read_files: { include: ['Daily'], exclude: [] },
    },
    asks: [
      { permission: 'http_requests', description: 'make HTTP requests to any host', reason: 'Fetch pages.' },
      { permission: 'read_files', description: 'read files in Daily/' },
    ],
  };

  it.each([
    ['y', true],
    [' YES ', true],
    ['', false],
    ['n', false],
    ['yep', false],
    [undefined, false],
  ])('shows the request and takes %j as %s', async (answer, granted) => {
    let shown = '';
    const questions: string[] = [];
    const io = { stdout: () => undefined, stderr: (text: string) => void (shown += text) };
    const prompt = (question: string) => {
      questions.push(question);
      return Promise.resolve(answer);
    };
    expect(await askConsent(request, prompt, io)).toBe(granted);
    expect(shown).toBe(
      'Fetcher (acme.fetch 2.0.0) asks to:\n  - make HTTP requests to any host — Fetch pages.\n  - read files in Daily/\n',
    );
    expect(questions).toEqual(['Grant these permissions? [y/N] ']);
    expect(grantCommands(request)).toEqual([
      'plinth-demo grant acme.fetch http_requests all',
      'plinth-demo grant acme.fetch read_files Daily',
    ]);
  });

  it('asks on a terminal: no installs with no grants, yes grants', async () => {
    const wasm = guestPath('as-http');
    const asked: string[] = [];
    const answering = (answer: string) => (question: string) => {
      asked.push(question);
      return Promise.resolve(answer);
    };
    const declined = await demoWith({ interactive: true, prompt: answering('n') }, 'install', wasm);
    expect(declined.code).toBe(0);
    expect(declined.stderr).toContain(
      'HTTP fetch (AssemblyScript golden) (plinth-golden.http 1.0.0) asks to:\n  - make HTTP requests to any host — Fetch the URLs you ask for.\n',
    );
    expect(declined.stdout).toContain('  not granted; it asks to:\n');
    const accepted = await demoWith({ interactive: true, prompt: answering('y') }, 'install', wasm);
    expect(accepted.stdout).toContain('  granted what it asks for: http_requests\n');
    expect(asked).toHaveLength(2);
    // Nothing left to ask for: no question.
    await demoWith({ interactive: true, prompt: answering('y') }, 'install', wasm);
    expect(asked).toHaveLength(2);
    expect((await demo('revoke', 'plinth-golden.http', 'http_requests')).code).toBe(0);
    expect((await demo('uninstall', 'plinth-golden.http')).code).toBe(0);
  });
});

describe('the built plinth-demo binary', { timeout: 60_000 }, () => {
  const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
  const run = promisify(execFile);

  it('runs a plugin command in a real process, with the exit code and no WASI warning', async () => {
    const { stdout, stderr } = await run(process.execPath, [
      '--disable-warning=ExperimentalWarning',
      cli,
      '--workspace',
      workspace,
      'run',
      'plinth-golden.rust',
      'echo',
      '{"zoë":"🌍"}',
    ]);
    expect(JSON.parse(stdout)).toEqual({ zoë: '🌍' });
    expect(stderr).not.toContain('ExperimentalWarning');
    const failed = await run(process.execPath, [cli, '--workspace', workspace, 'run']).catch(
      (error: unknown) => error,
    );
    expect(failed).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('plinth-demo run: missing the plugin id'),
    });
  });

  it('installs with no grants when stdin is not a terminal, and --ask reads the answer from stdin', async () => {
    const wasm = guestPath('as-http');
    const spawned = (input: string, ...argv: string[]) =>
      new Promise<Outcome>((resolve, reject) => {
        const child = spawn(process.execPath, [cli, '--workspace', workspace, ...argv]);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
        child.stdin.end(input);
      });
    const piped = await spawned('y\n', 'install', wasm);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain('[y/N]');
    expect(piped.stdout).toContain('  not granted; it asks to:\n');
    const asked = await spawned('y\n', 'install', wasm, '--ask');
    expect(asked.code).toBe(0);
    expect(asked.stderr).toContain('Grant these permissions? [y/N] ');
    expect(asked.stdout).toContain('  granted what it asks for: http_requests\n');
    expect((await demo('revoke', 'plinth-golden.http', 'http_requests')).code).toBe(0);
    expect((await demo('uninstall', 'plinth-golden.http')).code).toBe(0);
  });
});

describe('plinth-demo protocol commands (no workspace)', () => {
  it('validates a manifest file, names what is wrong, and prints the catalogue', async () => {
    const sample = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples', 'word-count.manifest.json');
    const good = await demo('validate', sample);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('unknown capability "holographic_display" ignored');
    expect(good.stdout).toContain('asks to:      read any file, use plugin storage (64 KiB per value)');
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ id: 'Acme', name: 'x', version: '1.0', description: '', capabilities: [] }),
    );
    const bad = await demo('validate', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[invalid_plugin_id]');
    expect(bad.stderr).toMatch(/version: version must be a semantic version/);
    expect((await demo('validate')).code).toBe(2);
    const catalogue = await demo('catalogue');
    expect(catalogue.stdout).toMatch(/host_http_request\s+required\s+H\s+http_requests/);
  });

  it('runs the golden guests against the conformance table', async () => {
    const { code, stdout } = await demo('guests');
    expect(code).toBe(0);
    for (const guest of ['as-notes', 'c-protocol', 'rust-protocol', 'wat-protocol']) {
      expect(stdout).toMatch(new RegExp(`${guest}\\s.*✓ \\d+/\\d+ rows`));
    }
  });
});
