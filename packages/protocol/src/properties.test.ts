import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getHostFunction, HOST_FUNCTION_NAMES } from './host-functions/catalogue.js';
import type { HostFunctionSpec } from './host-functions/define.js';
import { FAILURE_SHAPE_SCHEMAS, prefixMessage } from './host-functions/failure-shapes.js';
import { PERMISSION_TYPES } from './permissions.js';
import { PAYLOADS } from './payloads/all.js';
import { commandRequestPayload, commandResponsePayload } from './payloads/commands.js';
import { guestManifestPayload, guestManifestSchema, KNOWN_CAPABILITIES } from './payloads/manifest.js';
import { CLI_VALUE_TYPES, UI_SLOTS } from './payloads/contributions.js';
import type { Payload } from './payload.js';
import { isCanonicalPluginId, isSemver, PLUGIN_ID_PATTERN, SEMVER_PATTERN } from './version.js';

const functionName = fc.constantFrom(...HOST_FUNCTION_NAMES);
const spec = (name: string) => getHostFunction(name) as HostFunctionSpec;
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json());

/**
 * Asserts a wire value parses, parses again from its own JSON, and gives the same value. The generated input
 * goes through JSON first, as on the wire (JSON itself turns -0 into 0).
 */
function expectIdempotent<T>(payload: Payload<T, unknown>, generated: unknown): void {
  const first = payload.parse(JSON.parse(JSON.stringify(generated)));
  if (!first.ok) throw new Error(`generated input was rejected: ${first.error.message}`);
  const again = payload.parse(JSON.parse(JSON.stringify(first.value)));
  if (!again.ok) throw new Error(`re-parse failed: ${again.error.message}`);
  expect(again.value).toEqual(first.value);
  for (const warning of again.warnings) expect(warning.message).not.toMatch(/dropped|ignored/);
}

describe('parsers never throw', () => {
  it.each(PAYLOADS.map((p) => [p.name, p] as const))('%s.parse on any JSON value', (_name, payload) => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = payload.parse(value);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it.each(PAYLOADS.map((p) => [p.name, p] as const))('%s.decode on any string', (_name, payload) => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = payload.decode(text);
        if (!result.ok) expect(result.error.message.startsWith(`Invalid ${payload.name}`)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('every host function: decodeRequest on any string, and the target of any accepted request', () => {
    fc.assert(
      fc.property(functionName, anyText, (name, text) => {
        const f = spec(name);
        const result = f.decodeRequest(text);
        if (result.ok && f.permission) {
          const target = f.permission.target(result.value);
          expect(target === null || typeof target === 'string').toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('every host function: failureOutput of any message is its shape, prefixed once', () => {
    fc.assert(
      fc.property(functionName, fc.string(), (name, message) => {
        const f = spec(name);
        const out = f.failureOutput(message);
        expect(f.failureOutput(prefixMessage(name, message))).toBe(out);
        if (f.failure === 'Q' || f.failure === 'none') {
          expect(out).toBe(f.quiet);
          return;
        }
        const error =
          f.failure === 'S'
            ? out
            : (FAILURE_SHAPE_SCHEMAS[f.failure].parse(JSON.parse(out)) as { error: string }).error;
        expect(error.startsWith(`${f.name}:`)).toBe(true);
        expect(error.startsWith(`${f.name}: ${f.name}:`)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

const pluginId = fc.stringMatching(PLUGIN_ID_PATTERN).filter((id) => id.length <= 128);
const semver = fc.stringMatching(SEMVER_PATTERN);
const rule = fc.record(
  { include: fc.array(fc.string()), exclude: fc.array(fc.string()) },
  { requiredKeys: [] },
);
const permissions = fc.dictionary(fc.constantFrom(...PERMISSION_TYPES), rule);
const cliArg = fc.record(
  {
    name: fc.string({ minLength: 1 }),
    help: fc.string(),
    value_type: fc.constantFrom(...CLI_VALUE_TYPES),
    required: fc.boolean(),
    short: fc.option(fc.string({ minLength: 1, maxLength: 1 })),
    is_flag: fc.boolean(),
  },
  { requiredKeys: ['name', 'help'] },
);
const cliCommand = fc.letrec<{ cmd: Record<string, unknown> }>((tie) => ({
  cmd: fc.record(
    {
      name: fc.string({ minLength: 1 }),
      about: fc.string(),
      aliases: fc.array(fc.string()),
      args: fc.array(cliArg, { maxLength: 3 }),
      subcommands: fc.array(tie('cmd'), { maxLength: 2 }),
      command_name: fc.option(fc.string()),
      requires_workspace: fc.boolean(),
    },
    { requiredKeys: ['name', 'about'] },
  ),
})).cmd;
const uiElement = fc.record(
  {
    slot: fc.oneof(fc.constantFrom(...UI_SLOTS), fc.string({ minLength: 1 })),
    id: fc.string(),
    label: fc.string(),
  },
  { requiredKeys: ['slot'] },
);

const manifest = fc.record(
  {
    protocol_version: fc.constant(1),
    id: pluginId,
    name: fc.string(),
    version: semver,
    description: fc.string(),
    capabilities: fc.array(fc.oneof(fc.constantFrom(...KNOWN_CAPABILITIES), fc.string())),
    commands: fc.array(fc.string()),
    ui: fc.array(fc.oneof(uiElement, fc.jsonValue()), { maxLength: 4 }),
    cli: fc.array(fc.oneof(cliCommand, fc.jsonValue()), { maxLength: 3 }),
    requested_permissions: fc.record(
      { defaults: permissions, reasons: fc.dictionary(fc.string(), fc.string()) },
      { requiredKeys: [] },
    ),
    conversions: fc.array(fc.string()),
    min_app_version: semver,
    server_functions: fc.array(
      fc.record({
        name: fc.string(),
        method: fc.constantFrom('GET', 'POST', 'WS'),
        path: fc.string(),
        description: fc.string(),
      }),
    ),
    extra_unknown_field: fc.jsonValue(),
  },
  { requiredKeys: ['id', 'name', 'version', 'description', 'capabilities'] },
);

describe('parse is idempotent on valid values', () => {
  it('GuestManifest', () => {
    fc.assert(
      fc.property(manifest, (input) => expectIdempotent(guestManifestPayload, input)),
      { numRuns: 300 },
    );
  });

  it('CommandRequest', () => {
    const request = fc.record(
      { command: fc.string({ minLength: 1 }), params: fc.option(fc.jsonValue()) },
      { requiredKeys: ['command'] },
    );
    fc.assert(
      fc.property(request, (input) => expectIdempotent(commandRequestPayload, input)),
      { numRuns: 300 },
    );
  });

  it('CommandResponse', () => {
    const response = fc.record(
      {
        success: fc.boolean(),
        data: fc.jsonValue(),
        error: fc.string(),
        error_code: fc.constantFrom('permission_denied', 'config_error', 'x'),
      },
      { requiredKeys: ['success'] },
    );
    fc.assert(
      fc.property(response, (input) => expectIdempotent(commandResponsePayload, input)),
      { numRuns: 300 },
    );
  });
});

/** Independent oracles for the two string rules, written from the prose of PROTOCOL.md and semver.org. */
const segmentOk = (segment: string) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(segment);
const idOracle = (id: string) =>
  id.length <= 128 && id.split('.').length >= 2 && id.split('.').every(segmentOk);
const numericOk = (part: string) => /^(0|[1-9][0-9]*)$/.test(part);
function semverOracle(text: string): boolean {
  const plus = text.indexOf('+');
  const build = plus === -1 ? undefined : text.slice(plus + 1);
  const main = plus === -1 ? text : text.slice(0, plus);
  const dash = main.indexOf('-');
  const core = dash === -1 ? main : main.slice(0, dash);
  const pre = dash === -1 ? undefined : main.slice(dash + 1);
  const parts = core.split('.');
  if (parts.length !== 3 || !parts.every(numericOk)) return false;
  if (
    pre !== undefined &&
    !pre.split('.').every((id) => /^[0-9A-Za-z-]+$/.test(id) && (!/^[0-9]+$/.test(id) || numericOk(id)))
  )
    return false;
  return build === undefined || build.split('.').every((id) => /^[0-9A-Za-z-]+$/.test(id));
}

const idLike = fc.oneof(
  fc.string(),
  pluginId,
  fc
    .array(fc.stringMatching(/^[a-zA-Z0-9._/-]{0,6}$/), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join('.')),
  fc.integer({ min: 100, max: 300 }).map((n) => `acme.${'a'.repeat(n)}`),
);
const semverLike = fc.oneof(
  fc.string(),
  semver,
  fc
    .tuple(
      fc.constantFrom('', 'v', '0', '01'),
      fc.nat(20),
      fc.constantFrom('.', '..'),
      fc.nat(20),
      fc.constantFrom('', '.3', '.03', '.x'),
      fc.constantFrom('', '-beta', '-0.1', '-01', '+b.5', '-rc.1+sha.abc', '-'),
    )
    .map((parts) => parts.join('')),
);

describe('string rules agree with the zod schema', () => {
  it('isCanonicalPluginId agrees with the manifest id schema', () => {
    fc.assert(
      fc.property(idLike, (id) => {
        expect(isCanonicalPluginId(id)).toBe(guestManifestSchema.shape.id.safeParse(id).success);
      }),
      { numRuns: 1000 },
    );
  });

  it('isCanonicalPluginId follows the segment rule', () => {
    fc.assert(
      fc.property(idLike, (id) => {
        expect(isCanonicalPluginId(id)).toBe(idOracle(id));
      }),
      { numRuns: 1000 },
    );
  });

  it('isSemver agrees with the manifest version and min_app_version schemas and with SemVer 2.0.0', () => {
    fc.assert(
      fc.property(semverLike, (text) => {
        const expected = isSemver(text);
        expect(guestManifestSchema.shape.version.safeParse(text).success).toBe(expected);
        expect(guestManifestSchema.shape.min_app_version.safeParse(text).success).toBe(expected);
        expect(expected).toBe(semverOracle(text));
      }),
      { numRuns: 1000 },
    );
  });
});
