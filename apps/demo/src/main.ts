import { parseArgs } from 'node:util';
import { PlinthError } from '@plinth/protocol';
import type { NodeHost } from '@plinth/host-node';
import type { DirectoryProblem } from '@plinth/host-node/directory';
import { serveDashboard } from '@plinth/dashboard';
import { CliError, UsageError, untilAborted, type CliIo } from './cli-io.js';
import type { PluginToolServer } from '@plinth/mcp';
import { serveHttp } from '@plinth/mcp/http';
import { serveStdio } from '@plinth/mcp/stdio';
import { demoToolServer } from './demo-tool-server.js';
import { openHost } from './open-host.js';
import * as plugins from './plugin-commands.js';
import { runProtocolCommand } from './protocol-commands.js';
import { runSigningCommand } from './signing-commands.js';
import { serveBrowserDemo } from './browser-server.js';
import { formatEventRecord, formatLogRecord, tailFile } from './tail.js';
import { DEFAULT_WORKSPACE, WorkspaceError, openWorkspace, type Workspace } from './workspace.js';

export const USAGE = `plinth-demo — a notes workspace whose tools are WebAssembly plugins

Usage: plinth-demo [--workspace <dir>] [--lane auto|isolated|in-thread] [--database <url>] <command> ...
  --lane auto (default): each plugin is metered (fuel) and runs in-thread, or isolated in a worker when
  it is granted a host function that answers asynchronously (HTTP, plugin commands, WASI, a database)
  --database postgres://…: plugin storage, secrets, namespaces and the installed plugins live in that
  PostgreSQL database, shared with every other host on it (the secret key: $PLINTH_SECRET_KEY, base64 of
  32 bytes, else plinth/secret.key in the workspace, made on first use)

Plugins
  list                                    plugins with version, state and permissions in words
  manifest <plugin>                       a plugin's manifest (JSON)
  run <plugin> <command> [json-params]    run a plugin command, e.g. run plinth-golden.notes word_count '{"path":"ideas.md"}'
  install <file.wasm> [--sha256 <hex>] [--yes | --ask] [--allow-downgrade]
                                          install (or replace) a plugin; on a terminal it shows the
                                          permissions the plugin asks for and asks before granting them;
                                          --yes (or --grant-requested) grants them without asking, --ask
                                          asks even when stdin is not a terminal; otherwise none are granted.
                                          <file.wasm>.sig, when present, is checked against the policy's
                                          trust section; --allow-downgrade lets a signed older version in
  uninstall <plugin>                      remove a plugin
Permissions
  grant <plugin> <permission> <scope>     add a scope, e.g. grant plinth-golden.notes read_files private
  revoke <plugin> <permission> [scope]    remove a scope, or the whole rule
Signing
  keygen [--out <dir>]                    make an Ed25519 key pair (plinth-signing.key, .pub) and print the
                                          policy lines that trust it
  sign <plugin.wasm> --key <file>         write <plugin.wasm>.sig: the module's sha256, id, version and
                                          requested permissions, signed with the private key
  verify <plugin.wasm> [--trust <file>]   check <plugin.wasm>.sig against a public key file, or else the
                                          workspace policy's trusted keys
Observing
  logs [--follow] [--lines N]             the host log (guest log lines, loads, denials)
  events [--follow] [--lines N]           events plugins emitted
AI agents
  mcp [--http] [--port N] [--dashboard [--dashboard-port N]]
                                          every plugin command as an MCP tool (stdio, or Streamable HTTP on
                                          127.0.0.1); --dashboard serves the dashboard beside it, on the same
                                          host, so the tool list follows what is changed there
Dashboard
  dashboard [--port N]                    the plugin dashboard in a browser, on 127.0.0.1: prints the address
                                          with its access token; runs until Ctrl-C
Browser
  browser [--port N]                      the demo running in a browser tab, on 127.0.0.1: the plugins
                                          load in the page, over its own workspace and storage; prints
                                          the address, runs until Ctrl-C
Protocol
  validate <manifest.json>                check a GuestManifest file
  catalogue                               the host-function catalogue
  guests                                  run the golden guests against the conformance table

A workspace is a folder with notes/ (what plugins see; the policy is notes/README.md's front matter) and
plinth/ (plugins, storage, logs) side by side. --workspace defaults to $PLINTH_DEMO_WORKSPACE, else
${DEFAULT_WORKSPACE}; a folder without notes/README.md is seeded from the sample with the golden plugins.
Exit codes: 0 ok, 1 the operation failed, 2 usage mistake.
`;

const OPTIONS = {
  workspace: { type: 'string' },
  lane: { type: 'string' },
  database: { type: 'string' },
  sha256: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'grant-requested': { type: 'boolean' },
  ask: { type: 'boolean' },
  follow: { type: 'boolean' },
  lines: { type: 'string' },
  http: { type: 'boolean' },
  port: { type: 'string' },
  dashboard: { type: 'boolean' },
  'dashboard-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  out: { type: 'string' },
  key: { type: 'string' },
  trust: { type: 'string' },
  'allow-downgrade': { type: 'boolean' },
} as const;
type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Which command-specific flags each command takes (the global ones are always fine). */
const COMMAND_FLAGS: Record<string, readonly (keyof Values)[]> = {
  install: ['sha256', 'yes', 'grant-requested', 'ask', 'allow-downgrade'],
  keygen: ['out'],
  sign: ['key'],
  verify: ['trust'],
  logs: ['follow', 'lines'],
  events: ['follow', 'lines'],
  mcp: ['http', 'port', 'dashboard', 'dashboard-port'],
  dashboard: ['port'],
  browser: ['port'],
};
const GLOBAL_FLAGS: readonly (keyof Values)[] = ['workspace', 'lane', 'database', 'help'];

function parse(argv: string[]): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

function positional(args: string[], index: number, what: string): string {
  const value = args[index];
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
}

function integer(text: string | undefined, flag: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new UsageError(`--${flag} must be an integer from 0 to ${max} (got "${text}")`);
  }
  return value;
}

/** Whether `install` grants what a plugin asks for: told to, asks a person, or grants nothing. */
function installConsent(values: Values, io: CliIo): plugins.InstallConsent {
  const yes = values.yes === true || values['grant-requested'] === true;
  if (yes && values.ask) throw new UsageError('--ask and --yes contradict each other; pass one');
  if (yes) return { grant: true };
  if (values.ask || io.interactive === true) {
    if (io.prompt === undefined) throw new UsageError('--ask needs a way to read the answer (stdin)');
    return { grant: 'ask', prompt: io.prompt };
  }
  return { grant: false };
}

function checkArity(command: string, args: string[], min: number, max: number, shape: string): void {
  if (args.length < min) return; // the positional() calls name what is missing
  if (args.length > max) throw new UsageError(`too many arguments (usage: plinth-demo ${command} ${shape})`);
}

interface HostExtras {
  watch?: boolean;
  onChange?: () => void;
}

/** Starts a host on the workspace, reports folders it skipped, runs `use`, and always closes it. */
async function runWithHost(
  options: HostExtras & {
    workspace: Workspace;
    io: CliIo;
    lane?: 'auto' | 'isolated' | 'in-thread';
    database?: string;
  },
  use: (host: NodeHost, problems: readonly DirectoryProblem[]) => Promise<void> | void,
): Promise<void> {
  const { io } = options;
  const host = await openHost({
    workspace: options.workspace,
    progress: (line) => io.stderr(`${line}\n`),
    watch: options.watch ?? false,
    ...(options.lane ? { lane: options.lane } : {}),
    ...(options.database === undefined ? {} : { database: options.database }),
    ...(options.onChange ? { onChange: options.onChange } : {}),
  });
  try {
    const { problems } = await host.start();
    for (const problem of problems) {
      io.stderr(`skipped plugin folder ${problem.name}: [${problem.code}] ${problem.message}\n`);
    }
    await use(host, problems);
  } finally {
    await host.close();
  }
}

/** `browser`: the page keeps its workspace in the browser, so no workspace, lane or database applies. */
async function serveBrowser(args: string[], values: Values, io: CliIo): Promise<number> {
  checkArity('browser', args, 0, 0, '[--port N]');
  for (const flag of ['workspace', 'lane', 'database'] as const) {
    if (values[flag] !== undefined) {
      throw new UsageError(
        `--${flag} does not apply to browser: the page keeps its workspace and storage in the browser`,
      );
    }
  }
  const server = await serveBrowserDemo({ port: integer(values.port, 'port', 0, 65_535) });
  io.stdout(`Plinth in the browser: open ${server.url}\n`);
  await untilAborted(io.signal);
  await server.close();
  return 0;
}

/** Runs the CLI; returns the exit code. Never throws and never calls process.exit. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let command: string | undefined;
  try {
    const { values, positionals } = parse(argv);
    command = positionals[0];
    const args = positionals.slice(1);
    if (values.help || command === undefined || command === 'help') {
      io.stdout(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    const allowed = COMMAND_FLAGS[command] ?? [];
    for (const flag of Object.keys(values) as (keyof Values)[]) {
      if (!GLOBAL_FLAGS.includes(flag) && !allowed.includes(flag))
        throw new UsageError(`unknown option --${flag}`);
    }
    const lane = values.lane;
    if (lane !== undefined && lane !== 'auto' && lane !== 'isolated' && lane !== 'in-thread') {
      throw new UsageError(`--lane must be "auto", "isolated" or "in-thread" (got "${lane}")`);
    }
    if (command === 'browser') return await serveBrowser(args, values, io);
    const protocol = runProtocolCommand(command, args, io);
    if (protocol !== undefined) return await protocol;
    const workspace = () => {
      const ws = openWorkspace(values.workspace ?? io.env?.['PLINTH_DEMO_WORKSPACE'] ?? DEFAULT_WORKSPACE);
      if (ws.seeded) io.stderr(`seeded a new workspace at ${ws.home} from the sample\n`);
      return ws;
    };
    const signing = runSigningCommand(
      command,
      {
        args,
        out: values.out,
        key: values.key,
        trust: values.trust,
        policyFile: () => workspace().policyFile,
      },
      io,
    );
    if (signing !== undefined) return await signing;
    const withHost = (
      use: (host: NodeHost, problems: readonly DirectoryProblem[]) => Promise<void> | void,
      extra: HostExtras = {},
    ) =>
      runWithHost(
        {
          workspace: workspace(),
          io,
          ...(lane ? { lane } : {}),
          ...(values.database === undefined ? {} : { database: values.database }),
          ...extra,
        },
        use,
      );
    switch (command) {
      case 'list':
        checkArity(command, args, 0, 0, '');
        await withHost((host, problems) => plugins.listPlugins(host, io, problems));
        return 0;
      case 'manifest': {
        checkArity(command, args, 1, 1, '<plugin>');
        const id = positional(args, 0, 'the plugin id');
        await withHost((host) => plugins.showManifest(host, id, io));
        return 0;
      }
      case 'run': {
        checkArity(command, args, 2, 3, '<plugin> <command> [json-params]');
        const pluginId = positional(args, 0, 'the plugin id');
        const name = positional(args, 1, 'the command name');
        const params = plugins.requireParams(args[2]);
        await withHost((host) => plugins.runCommand(host, { pluginId, command: name, params }, io));
        return 0;
      }
      case 'grant': {
        checkArity(command, args, 3, 3, '<plugin> <permission> <scope>');
        const pluginId = positional(args, 0, 'the plugin id');
        const permission = plugins.requirePermissionType(positional(args, 1, 'the permission type'));
        const scope = positional(args, 2, 'the scope (a path, host name or "all")');
        await withHost((host) => plugins.grant(host, { pluginId, permission, scope }, io));
        return 0;
      }
      case 'revoke': {
        checkArity(command, args, 2, 3, '<plugin> <permission> [scope]');
        const pluginId = positional(args, 0, 'the plugin id');
        const permission = plugins.requirePermissionType(positional(args, 1, 'the permission type'));
        await withHost((host) => plugins.revoke(host, { pluginId, permission, scope: args[2] }, io));
        return 0;
      }
      case 'install': {
        checkArity(command, args, 1, 1, '<file.wasm> [--sha256 <hex>] [--yes | --ask] [--allow-downgrade]');
        const path = positional(args, 0, 'the .wasm file to install');
        const consent = installConsent(values, io);
        const allowDowngrade = values['allow-downgrade'] === true;
        await withHost((host) =>
          plugins.install(host, { path, sha256: values.sha256, consent, allowDowngrade }, io),
        );
        return 0;
      }
      case 'uninstall': {
        checkArity(command, args, 1, 1, '<plugin>');
        const id = positional(args, 0, 'the plugin id');
        await withHost((host) => plugins.uninstall(host, id, io));
        return 0;
      }
      case 'logs':
      case 'events': {
        checkArity(command, args, 0, 0, '[--follow] [--lines N]');
        const ws = workspace();
        await tailFile({
          file: command === 'logs' ? ws.logFile : ws.eventsFile,
          lines: integer(values.lines, 'lines', 20, 100_000),
          follow: values.follow ?? false,
          format: command === 'logs' ? formatLogRecord : formatEventRecord,
          io,
        });
        return 0;
      }
      case 'mcp': {
        checkArity(command, args, 0, 0, '[--http] [--port N] [--dashboard [--dashboard-port N]]');
        if (values.port !== undefined && !values.http) throw new UsageError('--port needs --http');
        if (values.dashboard && !values.http) throw new UsageError('--dashboard needs --http');
        if (values['dashboard-port'] !== undefined && !values.dashboard) {
          throw new UsageError('--dashboard-port needs --dashboard');
        }
        const port = integer(values.port, 'port', 0, 65_535);
        const dashboardPort = integer(values['dashboard-port'], 'dashboard-port', 0, 65_535);
        let tools: PluginToolServer | undefined;
        const serve = async (host: NodeHost) => {
          tools = demoToolServer(host);
          io.stderr(`MCP server: ${tools.tools().length} tools from ${host.plugins().length} plugins\n`);
          if (!values.http) return serveStdio(tools, io.signal ? { signal: io.signal } : {});
          const server = await serveHttp(tools, { port });
          let dashboard: Awaited<ReturnType<typeof serveDashboard>> | undefined;
          try {
            io.stderr(`MCP Streamable HTTP listening on ${server.url}\n`);
            // The same host object: a change made in the dashboard reaches onChange, so the clients hear it.
            if (values.dashboard) dashboard = await serveDashboard(host, { port: dashboardPort });
            if (dashboard) io.stderr(`Plinth dashboard: open ${dashboard.url}\n`);
            await untilAborted(io.signal);
          } finally {
            await dashboard?.close();
            await server.close();
            await tools.close();
          }
        };
        // Watching makes installs, removals and swaps in the plugins root reach the clients.
        await withHost(serve, { watch: true, onChange: () => tools?.toolsChanged() });
        return 0;
      }
      case 'dashboard': {
        checkArity(command, args, 0, 0, '[--port N]');
        const port = integer(values.port, 'port', 0, 65_535);
        const serve = async (host: NodeHost) => {
          const dashboard = await serveDashboard(host, { port });
          io.stdout(`Plinth dashboard: open ${dashboard.url}\n`);
          await untilAborted(io.signal);
          await dashboard.close();
        };
        // Watching shows installs and swaps made in the plugins root (or by another process) as they happen.
        await withHost(serve, { watch: true });
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}" (see plinth-demo --help)`);
    }
  } catch (error) {
    const prefix = `plinth-demo${command ? ` ${command}` : ''}: `;
    if (error instanceof CliError) {
      io.stderr(
        `${prefix}${error.message}\n${error.exitCode === 2 ? 'Run plinth-demo --help for usage.\n' : ''}`,
      );
      return error.exitCode;
    }
    if (error instanceof WorkspaceError) {
      io.stderr(`${prefix}${error.message}\n`);
      return 1;
    }
    if (PlinthError.isInstance(error)) {
      io.stderr(`${prefix}[${error.code}] ${error.message}\n`);
      return 1;
    }
    io.stderr(`${prefix}${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}
