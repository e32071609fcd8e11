import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HOST_FUNCTIONS } from '../host-functions/catalogue.js';
import type { HostFunctionSpec } from '../host-functions/define.js';
import { PAYLOADS } from '../payloads/all.js';
import { renderArtifacts } from './artifacts.js';
import { injectSections, sectionMarkers } from './protocol-document.js';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const schemaDir = join(packageRoot, 'schema');
const catalogue = HOST_FUNCTIONS as readonly HostFunctionSpec[];
const artifacts = renderArtifacts();
const rendered = new Map(artifacts.schemas.map((file) => [file.path, file.text]));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('renderArtifacts', () => {
  it('renders one request schema per function that has a request', () => {
    const requests = artifacts.schemas.filter((f) => f.path.endsWith('.request.json')).map((f) => f.path);
    expect(requests.sort()).toEqual(
      catalogue
        .filter((f) => f.request !== null)
        .map((f) => `host-functions/${f.name}.request.json`)
        .sort(),
    );
  });

  it('renders one response schema per function', () => {
    const responses = artifacts.schemas.filter((f) => f.path.endsWith('.response.json')).map((f) => f.path);
    expect(responses.sort()).toEqual(catalogue.map((f) => `host-functions/${f.name}.response.json`).sort());
  });

  it('renders every payload, both contribution schemas and the six JSON failure shapes', () => {
    for (const payload of PAYLOADS)
      expect(rendered.has(`${payload.fileName}.json`), payload.fileName).toBe(true);
    expect(rendered.has('cli-command.json')).toBe(true);
    expect(rendered.has('ui-contribution.json')).toBe(true);
    for (const shape of ['e', 's', 'h', 'p', 'w', 'o'])
      expect(rendered.has(`failure-shapes/failure-${shape}.json`)).toBe(true);
  });

  it('renders unique paths', () => {
    expect(rendered.size).toBe(artifacts.schemas.length);
  });

  it('renders valid JSON Schema 2020-12 with a title, ending in a newline', () => {
    for (const { path, text } of artifacts.schemas) {
      expect(text.endsWith('}\n'), path).toBe(true);
      const schema = JSON.parse(text) as Record<string, unknown>;
      expect(typeof schema['title'] === 'string' && schema['title'] !== '', path).toBe(true);
      expect(schema['$schema'], path).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });

  it('titles the manifest and marks raw outputs', () => {
    const manifest = JSON.parse(rendered.get('guest-manifest.json') ?? '{}') as {
      title: string;
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(manifest.title).toBe('GuestManifest');
    expect([...manifest.required].sort()).toEqual(['capabilities', 'description', 'id', 'name', 'version']);
    expect(Object.keys(manifest.properties)).toContain('server_functions');
    const readFile = JSON.parse(
      rendered.get('host-functions/host_read_file.response.json') ?? '{}',
    ) as Record<string, unknown>;
    expect(readFile['contentMediaType']).toBe('text/plain');
    const requestFile = JSON.parse(
      rendered.get('host-functions/host_request_file.response.json') ?? '{}',
    ) as Record<string, unknown>;
    expect(requestFile['contentMediaType']).toBe('application/octet-stream');
  });

  it('is deterministic', () => {
    expect(renderArtifacts().schemas).toEqual(artifacts.schemas);
  });
});

describe('committed artifacts are current (run `pnpm --filter @plinth/protocol generate` if this fails)', () => {
  it('has a schema/ folder', () => {
    expect(existsSync(schemaDir)).toBe(true);
  });

  it.each(artifacts.schemas.map((file) => [file.path, file.text] as const))(
    'schema/%s matches what renderArtifacts() renders',
    (path, text) => {
      const file = join(schemaDir, path);
      expect(existsSync(file), `schema/${path} is missing`).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(text);
    },
  );

  it('has no schema file that is no longer generated', () => {
    const stale = filesUnder(schemaDir)
      .map((file) => relative(schemaDir, file).split('\\').join('/'))
      .filter((path) => !rendered.has(path));
    expect(stale).toEqual([]);
  });

  it("has PROTOCOL.md's generated tables up to date", () => {
    const document = readFileSync(join(packageRoot, 'PROTOCOL.md'), 'utf8');
    const injected = artifacts.injectProtocolSections(document);
    expect(injected.problems).toEqual([]);
    expect(injected.text).toBe(document);
  });
});

describe('the generated tables of PROTOCOL.md', () => {
  const section = (name: string) =>
    artifacts.protocolSections.find((candidate) => candidate.name === name)?.text ?? '';

  it('lists every catalogue function once, in its set, with its failure shape', () => {
    const tables = section('host-functions');
    const [required = '', extended = ''] = tables.split('*Extended set');
    for (const f of catalogue) {
      expect(f.set === 'required' ? required : extended).toContain(`| \`${f.name}\` |`);
      expect(tables).toMatch(new RegExp(`\\| \`${f.name}\` \\|[^\\n]*\\| ${f.failure} \\|`));
    }
    expect(tables.split('\n').filter((line) => line.startsWith('| `host_'))).toHaveLength(catalogue.length);
  });

  it('keeps `<placeholders>` outside code spans from reading as HTML', () => {
    const row = section('host-functions')
      .split('\n')
      .find((line) => line.startsWith('| `host_plugin_command` |'));
    expect(row).toContain('execute_commands on "&lt;plugin_id>:&lt;command>"');
  });

  it('renders the protocol constants from the code', () => {
    const constants = section('protocol-constants');
    expect(constants).toContain('| `MAX_PLUGIN_COMMAND_DEPTH` | 8 |');
    expect(constants).toContain('| `STORAGE_QUOTA` | default 1 MiB, at most 1 GiB, 0 = unlimited |');
    expect(constants).toContain('CommandRequest: 257');
  });
});

describe('injectSections', () => {
  const sections = [{ name: 'table', text: '| new |' }];
  const { start, end } = sectionMarkers('table');

  it('rewrites the region between the markers and nothing else', () => {
    const result = injectSections(`# T\n${start}\n| old |\n${end}\nafter\n`, sections);
    expect(result).toEqual({ text: `# T\n${start}\n| new |\n${end}\nafter\n`, problems: [] });
  });

  it('reports missing, unknown and repeated markers instead of passing silently', () => {
    expect(injectSections('# no markers', sections).problems).toEqual([
      `no ${start} … ${end} markers for "table"`,
    ]);
    const other = sectionMarkers('other');
    expect(injectSections(`${start}\n${end}\n${other.start}\n${other.end}\n`, sections).problems).toEqual([
      'markers for "other", which nothing generates',
    ]);
    expect(injectSections(`${start}\n${end}\n${start}\n${end}\n`, sections).problems).toEqual([
      '"table" is marked 2 times',
    ]);
  });
});
