import { HOST_FUNCTIONS } from '../host-functions/catalogue.js';
import type { HostFunctionSpec } from '../host-functions/define.js';
import { HTTP_TIMEOUT_MS } from '../host-functions/http.js';
import { MAX_PLUGIN_COMMAND_DEPTH } from '../host-functions/runtime.js';
import { MAX_JSON_DEPTH } from '../json-depth.js';
import { PAYLOADS } from '../payloads/all.js';
import { STORAGE_QUOTA } from '../permissions.js';
import { PLUGIN_ID_MAX_LENGTH, PROTOCOL_VERSION } from '../version.js';

/** One region of PROTOCOL.md that scripts/generate.ts writes, between `generated:<name>` markers. */
export interface GeneratedSection {
  name: string;
  text: string;
}

/** The text of a document with its generated regions rewritten, and what kept a region from being written. */
export interface InjectResult {
  text: string;
  /** Missing, unknown or repeated markers; empty when every section was written exactly once. */
  problems: string[];
}

/** The marker lines around a generated region. */
export function sectionMarkers(name: string): { start: string; end: string } {
  return { start: `<!-- generated:${name}:start -->`, end: `<!-- generated:${name}:end -->` };
}

const REGION = /<!-- generated:([a-z0-9-]+):start -->[\s\S]*?<!-- generated:\1:end -->/g;
const ANY_MARKER = /<!-- generated:([a-z0-9-]+):(start|end) -->/g;

/** The generated regions of PROTOCOL.md, in document order. */
export function renderProtocolSections(): GeneratedSection[] {
  return [
    { name: 'host-functions', text: renderHostFunctionTables() },
    { name: 'protocol-constants', text: renderConstantsTable() },
  ];
}

/**
 * Rewrites every generated region of `document`. A section whose markers are missing, a region nobody
 * generates and a section marked twice are problems: the caller must fail rather than leave a table stale.
 */
export function injectSections(document: string, sections: readonly GeneratedSection[]): InjectResult {
  const problems: string[] = [];
  const byName = new Map(sections.map((section) => [section.name, section.text]));
  const seen = new Map<string, number>();
  for (const [, name, edge] of document.matchAll(ANY_MARKER)) {
    if (edge === 'start') seen.set(name as string, (seen.get(name as string) ?? 0) + 1);
  }
  for (const [name, count] of seen) {
    if (!byName.has(name)) problems.push(`markers for "${name}", which nothing generates`);
    else if (count > 1) problems.push(`"${name}" is marked ${count} times`);
  }
  for (const { name } of sections) {
    const { start, end } = sectionMarkers(name);
    const from = document.indexOf(start);
    if (from === -1 || document.indexOf(end, from) === -1)
      problems.push(`no ${start} … ${end} markers for "${name}"`);
  }
  const text = document.replace(REGION, (region, name: string) => {
    const body = byName.get(name);
    if (body === undefined) return region;
    const { start, end } = sectionMarkers(name);
    return `${start}\n${body}\n${end}`;
  });
  return { text, problems };
}

/** A table cell: pipes escaped, and `<` outside code spans too, so `<ns_id>` is not read as an HTML tag. */
function cell(text: string): string {
  return text
    .replace(/\n/g, ' ')
    .split('`')
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/</g, '&lt;')))
    .join('`')
    .replace(/\|/g, '\\|');
}

function hostFunctionRow(spec: HostFunctionSpec): string {
  const schemas = `schema/host-functions/${spec.name}`;
  const links = [
    spec.request ? `[request](${schemas}.request.json)` : 'input ignored',
    `[response](${schemas}.response.json)`,
  ].join(' · ');
  const permission = spec.permission ? spec.permission.rule : 'none';
  const notes = spec.rateLimited ? ' (rate-limited)' : '';
  return `| \`${spec.name}\` | ${cell(spec.summary)}${notes} | ${cell(spec.success.description)} | ${spec.failure} | ${cell(permission)} | ${links} |`;
}

function renderHostFunctionTables(): string {
  const catalogue = HOST_FUNCTIONS as readonly HostFunctionSpec[];
  const table = (set: HostFunctionSpec['set']) => [
    '| Function | What it does | Success output | Fail | Permission (target) | JSON Schema |',
    '|---|---|---|---|---|---|',
    ...catalogue.filter((spec) => spec.set === set).map(hostFunctionRow),
  ];
  return [
    '*Required set, from the catalogue:*',
    '',
    ...table('required'),
    '',
    '*Extended set, from the catalogue:*',
    '',
    ...table('extended'),
  ].join('\n');
}

const number = (value: number) => value.toLocaleString('en-US');
const bytes = (value: number) =>
  value % 2 ** 30 === 0
    ? `${number(value / 2 ** 30)} GiB`
    : value % 2 ** 20 === 0
      ? `${number(value / 2 ** 20)} MiB`
      : `${number(value)} bytes`;

function renderConstantsTable(): string {
  const deeper = PAYLOADS.filter((payload) => payload.maxDepth !== MAX_JSON_DEPTH);
  const deeperNote =
    deeper.length === 0
      ? ''
      : `; ${deeper.map((payload) => `${payload.name}: ${payload.maxDepth}`).join(', ')}, so that a value one level in (\`params\`, \`data\`) may use all ${MAX_JSON_DEPTH}`;
  const rows: [string, string, string][] = [
    [
      'PROTOCOL_VERSION',
      PROTOCOL_VERSION.min === PROTOCOL_VERSION.max
        ? `${PROTOCOL_VERSION.min}`
        : `${PROTOCOL_VERSION.min}–${PROTOCOL_VERSION.max}`,
      '`protocol_version` values a host accepts (§3.1)',
    ],
    ['PLUGIN_ID_MAX_LENGTH', `${PLUGIN_ID_MAX_LENGTH} characters`, 'longest canonical plugin id (§3.1)'],
    [
      'MAX_JSON_DEPTH',
      `${MAX_JSON_DEPTH} levels`,
      `deepest nesting of arrays and objects accepted in a payload or host-function request${deeperNote}`,
    ],
    [
      'MAX_PLUGIN_COMMAND_DEPTH',
      `${MAX_PLUGIN_COMMAND_DEPTH}`,
      'longest chain of nested `host_plugin_command` calls',
    ],
    [
      'HTTP_TIMEOUT_MS',
      `${number(HTTP_TIMEOUT_MS.min)}–${number(HTTP_TIMEOUT_MS.max)} ms, default ${number(HTTP_TIMEOUT_MS.default)}`,
      'range a `host_http_request` `timeout_ms` is clamped into',
    ],
    [
      'STORAGE_QUOTA',
      `default ${bytes(STORAGE_QUOTA.defaultBytes)}, at most ${bytes(STORAGE_QUOTA.maxBytes)}, ${STORAGE_QUOTA.unlimited} = unlimited`,
      'largest value one `host_storage_set` may write (§5.6)',
    ],
  ];
  return [
    '| Constant | Value | What it bounds |',
    '|---|---|---|',
    ...rows.map(([name, value, what]) => `| \`${name}\` | ${value} | ${what} |`),
  ].join('\n');
}
