// Fuzzing of every parser that takes outside input, with noise and with edits of valid inputs. Each case may
// end only in a typed outcome: a result object, or a thrown/rejected PlinthError (any subtype). Anything
// else is an uncaught exception and fails the property with fast-check's counterexample.
import fc from 'fast-check';
import { CompiledPolicy, createPolicyChecker } from '@plinth/permissions';
import {
  commandRequestPayload,
  decodeCommandResponse,
  getHostFunction,
  guestManifestPayload,
  HOST_FUNCTION_NAMES,
  PERMISSION_TYPES,
  PlinthError,
  type GuestManifest,
  type JsonValue,
} from '@plinth/protocol';
import { parsePolicyText, splitFrontMatter } from '@plinth/host-node/policy';
import {
  capMemory,
  checkModuleSize,
  inspectModule,
  loadModule,
  ProtocolPlugin,
  readWasmModule,
  validateImports,
} from '@plinth/runtime';
import { serveBundleCall, type HostBundle } from '@plinth/host-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseParams } from '../../apps/demo/src/json-params.js';
import {
  anyText,
  editedBytes,
  editedJson,
  editedText,
  jsonText,
  oddValue,
} from './__fixtures__/fuzz-inputs.js';
import {
  allowAllTwinBundle,
  corpusModules,
  goldenManifests,
  requestFields,
  scriptedLane,
  type ScriptedExport,
} from './__fixtures__/fuzz-targets.js';
import { printFigureLast, size } from './__fixtures__/reliability.js';

const PARSERS = ['wasm', 'manifest', 'command-response', 'policy', 'host-requests', 'json-params'] as const;
type Parser = (typeof PARSERS)[number];
/** Runs of each property; the long run does ≥ 100,000 cases in all. */
const RUNS = size({ short: 1_000, long: 8_000 });

const cases = Object.fromEntries(PARSERS.map((parser) => [parser, 0])) as Record<Parser, number>;
let uncaught = 0;
printFigureLast('fuzz', () => ({
  cases: Object.values(cases).reduce((sum, n) => sum + n, 0),
  uncaught,
  ...cases,
}));

/**
 * A thrown PlinthError is a typed outcome; anything else is counted as uncaught and rethrown (fast-check then
 * shrinks the case, re-running it, so one failing input may count more than once).
 */
function typedError(error: unknown): PlinthError {
  if (PlinthError.isInstance(error)) return error;
  uncaught += 1;
  throw error;
}
function typed<T>(run: () => T): T | PlinthError {
  try {
    return run();
  } catch (error) {
    return typedError(error);
  }
}
async function typedAsync<T>(run: () => Promise<T>): Promise<T | PlinthError> {
  try {
    return await run();
  } catch (error) {
    return typedError(error);
  }
}
const isError = (value: unknown): value is PlinthError => PlinthError.isInstance(value);

/** Checks `runs` inputs from `input` against one parser, one case each. */
async function fuzz<T>(
  parser: Parser,
  input: fc.Arbitrary<T>,
  check: (value: T) => void | Promise<void>,
  runs = RUNS,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(input, async (value) => {
      cases[parser] += 1;
      await check(value);
    }),
    { numRuns: runs },
  );
}

const encoder = new TextEncoder();
const utf8 = (text: string): Uint8Array => encoder.encode(text);
const lenient = new TextDecoder();

// ---- wasm reader ----

describe('the wasm reader', () => {
  const corpus = corpusModules();
  const HEADER = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  const moduleBytes = fc.oneof(
    { weight: 3, arbitrary: editedBytes(corpus) },
    fc.uint8Array({ maxLength: 512 }),
    fc.uint8Array({ maxLength: 512 }).map((tail) => Uint8Array.from([...HEADER, ...tail])),
  );

  /** Every function that reads module bytes before an engine sees them. */
  function readAll(bytes: Uint8Array): void {
    const read = typed(() => readWasmModule(bytes));
    expect(isError(read) || typeof read.ok === 'boolean').toBe(true);
    const inspected = typed(() => inspectModule(bytes));
    if (!isError(inspected) && inspected.ok) typed(() => validateImports(inspected.inspection));
    for (const policy of ['cap', 'refuse'] as const) {
      const capped = typed(() => capMemory(bytes, { maxPages: 16, onUnbounded: policy, onTooLarge: policy }));
      expect(isError(capped) || typeof capped.action === 'string').toBe(true);
    }
    typed(() => checkModuleSize(bytes, 16 * 1024));
  }

  it('reads, inspects, validates and caps any bytes', async () => {
    await fuzz('wasm', moduleBytes, readAll, RUNS * 2);
  });

  it('loadModule resolves or rejects with a PlinthError', async () => {
    // Compiling is the costly part: a quarter of the runs.
    await fuzz(
      'wasm',
      moduleBytes,
      async (bytes) => void (await typedAsync(() => loadModule({ bytes }, { cache: false }))),
      Math.ceil(RUNS / 4),
    );
  });
});

// ---- manifests ----

describe('manifests', () => {
  let manifests: GuestManifest[] = [];
  let texts: string[] = [];
  beforeAll(async () => {
    manifests = await goldenManifests();
    texts = manifests.flatMap((manifest) => [JSON.stringify(manifest), JSON.stringify(manifest, null, 2)]);
  });
  const ids = ['plinth-golden.c', 'plinth-golden.notes', 'acme.other'];

  it('GuestManifest parse and decode', async () => {
    const input = fc.oneof(editedJson(manifests), fc.jsonValue({ maxDepth: 3 }));
    await fuzz('manifest', input, (value) => {
      const parsed = typed(() => guestManifestPayload.parse(value));
      expect(isError(parsed) || typeof parsed.ok === 'boolean').toBe(true);
      const decoded = typed(() => guestManifestPayload.decode(jsonText(value)));
      expect(isError(decoded) || typeof decoded.ok === 'boolean').toBe(true);
    });
    await fuzz('manifest', fc.oneof(editedText(texts), anyText), (text) => {
      const decoded = typed(() => guestManifestPayload.decode(text));
      expect(isError(decoded) || typeof decoded.ok === 'boolean').toBe(true);
    });
  });

  it('ProtocolPlugin.open on any manifest output', async () => {
    const output = fc.oneof(
      editedJson(manifests).map((value) => utf8(jsonText(value))),
      editedText(texts).map(utf8),
      editedBytes(texts.map(utf8)),
      fc.uint8Array({ maxLength: 256 }),
      anyText.map(utf8),
      fc.constant(null),
    );
    await fuzz('manifest', fc.tuple(output, fc.option(fc.constantFrom(...ids))), async ([bytes, id]) => {
      const opened = await typedAsync(() =>
        ProtocolPlugin.open({
          lane: scriptedLane({ manifest: () => bytes }),
          hostAppVersion: '1.0.0',
          initContext: { workspace_root: null },
          ...(id === null ? {} : { expectedId: id }),
        }),
      );
      if (!isError(opened)) await opened.shutdown();
    });
  });
});

// ---- command responses and JSON params, through a plugin whose guest output each case chooses ----

describe('command responses and params', () => {
  const manifest = {
    protocol_version: 1,
    id: 'fuzz.target',
    name: 'Fuzz target',
    version: '1.0.0',
    description: 'Answers whatever the case chooses.',
    capabilities: ['custom_commands'],
    commands: ['run'],
  };
  let respond: ScriptedExport = () => null;
  let target: ProtocolPlugin;
  beforeAll(async () => {
    target = await ProtocolPlugin.open({
      lane: scriptedLane({
        manifest: () => utf8(JSON.stringify(manifest)),
        handle_command: (input) => respond(input),
      }),
      hostAppVersion: '1.0.0',
      initContext: { workspace_root: null },
    });
  });

  const responses: unknown[] = [
    { success: true, data: 'pong' },
    { success: true, data: { items: [1, 2.5, 'x', null, { deep: [true] }] } },
    { success: false, error: 'no', error_code: 'permission_denied' },
    { success: true },
    { success: false, error: 'bad', error_code: 'invalid_params', data: null },
  ];
  const responseTexts = responses.map((response) => JSON.stringify(response));

  it('handle_command output: a CommandResponse or a PlinthError', async () => {
    const output = fc.oneof(
      { weight: 2, arbitrary: editedJson(responses).map((value) => utf8(jsonText(value))) },
      { weight: 2, arbitrary: editedText(responseTexts).map(utf8) },
      editedBytes(responseTexts.map(utf8)),
      fc.uint8Array({ maxLength: 128 }),
      anyText.map(utf8),
      fc.constant(null),
    );
    await fuzz('command-response', output, async (bytes) => {
      respond = () => bytes;
      const response = await typedAsync(() => target.command('run', null));
      expect(isError(response) || typeof response.success === 'boolean').toBe(true);
      const decoded = typed(() => decodeCommandResponse(lenient.decode(bytes ?? new Uint8Array())));
      expect(isError(decoded) || typeof decoded.ok === 'boolean').toBe(true);
    });
  });

  const paramTexts = [
    '{"a":1,"b":[true,null,"x"]}',
    '[1,2,{"k":"v"}]',
    '"text"',
    '-12.5e3',
    '{"nested":{"deeper":[[]]}}',
  ];
  const paramsText = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    editedText(paramTexts),
    anyText,
  );

  it('params text (the demo CLI and MCP server): a value or a message', async () => {
    await fuzz('json-params', paramsText, (text) => {
      const result = typed(() => parseParams(text));
      if (isError(result)) return;
      if (result.ok) expect(result.value).toEqual(JSON.parse(text));
      else expect(result.message).toMatch(/params/);
      const request = typed(() => commandRequestPayload.decode(`{"command":"run","params":${text}}`));
      expect(isError(request) || typeof request.ok === 'boolean').toBe(true);
    });
  });

  it('params values reach the guest as JSON, or are refused with a PlinthError', async () => {
    // The guest answers the request it got as its data: what it received, after a round trip.
    respond = (input) => utf8(`{"success":true,"data":${lenient.decode(input)}}`);
    const params = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      editedJson(paramTexts.map((text) => JSON.parse(text) as unknown)),
      oddValue,
    );
    await fuzz('json-params', params, async (value) => {
      const response = await typedAsync(() => target.command('run', value as JsonValue));
      const parsed = typed(() => commandRequestPayload.parse({ command: 'run', params: value }));
      expect(isError(parsed) || typeof parsed.ok === 'boolean').toBe(true);
      if (isError(response)) return;
      const text = JSON.stringify(value) as string | undefined;
      // The CommandResponse schema drops own `__proto__` keys from data (by design: see
      // command-response.properties.test.ts); everything else must come back as sent.
      const withoutProto = (key: string, item: unknown) => (key === '__proto__' ? undefined : item);
      const sent =
        text === undefined || value === null
          ? { command: 'run', params: null }
          : { command: 'run', params: JSON.parse(text, withoutProto) as unknown };
      expect(response).toEqual({ success: true, data: sent });
    });
  });
});

// ---- policy text, front matter and policy documents ----

describe('policies', () => {
  const scope = fc.oneof(
    fc.constantFrom(
      'all',
      'Daily',
      'Daily/private',
      'a.md',
      '*.md',
      '**/*.md',
      'example.com',
      '*.example.com',
    ),
    fc.constantFrom(
      'api.example.com:443',
      'https://x.y/',
      '..',
      '/abs',
      'C:\\x',
      'ns-1/key',
      'acme.x:run',
      '',
    ),
    fc.string({ maxLength: 12 }),
  );
  const rule = fc.record(
    {
      include: fc.array(scope, { maxLength: 4 }),
      exclude: fc.array(scope, { maxLength: 3 }),
      quota_bytes: fc.oneof(fc.nat(), fc.constantFrom(-1, 0.5, 1e300)),
    },
    { requiredKeys: [] },
  );
  const permissions = fc.dictionary(
    fc.oneof(fc.constantFrom(...PERMISSION_TYPES), fc.string({ maxLength: 8 })),
    rule,
    { maxKeys: 4 },
  );
  const policy = fc.record({
    plugins: fc.dictionary(
      fc.constantFrom('acme.notes', 'plinth-golden.c', 'a.b', 'Bad Id', '', '..', '__proto__'),
      fc.record({ permissions }, { requiredKeys: [] }),
      { maxKeys: 3 },
    ),
  });
  const yamlPolicies = [
    [
      'plugins:',
      '  acme.notes:',
      '    permissions:',
      '      read_files:',
      '        include: [Daily, "a.md"]',
      '        exclude:',
      '          - Daily/private',
      '      http_requests: &web',
      '        include: [example.com]',
      '      plugin_storage: { include: [all], quota_bytes: 1048576 }',
      '  acme.other:',
      '    permissions:',
      '      http_requests: *web',
      '',
    ].join('\n'),
    '# comment\nplugins: {}\n',
    'plugins:\n  a.b:\n    permissions:\n      execute_commands:\n        include:\n          - "acme.x:run"\n',
    // YAML's own features: tags, merge keys, complex keys, and an alias that makes the value contain itself.
    [
      'plugins: &all',
      '  <<: {acme.x: {permissions: {read_files: {include: [!!binary aGVsbG8=, !!int 0x10, !!bool yes]}}}}',
      '  ? [a, b]',
      '  : {permissions: !!set {read_files}}',
      '  acme.y: {permissions: {plugin_storage: {include: [all], quota_bytes: !!float .inf}}}',
      '  acme.z: *all',
      '',
    ].join('\n'),
  ];
  const markdown = (yaml: string) => `---\n${yaml}---\n# Notes\n\nBody text.\n`;
  const policyText = fc.oneof(
    { weight: 2, arbitrary: editedText(yamlPolicies) },
    policy.map((value) => JSON.stringify(value, null, 2)),
    policy.chain((value) => editedText([JSON.stringify(value, null, 2)])),
    anyText,
  );
  const target = fc.oneof(scope, anyText);

  it('policy files: a CompiledPolicy or a PolicyFileError, and its checks answer a decision', async () => {
    await fuzz(
      'policy',
      fc.tuple(policyText, fc.constantFrom(...PERMISSION_TYPES), target),
      ([text, type, at]) => {
        const compiled = typed(() => parsePolicyText(text, 'document', 'policy.yaml'));
        if (isError(compiled)) return;
        const decision = typed(() =>
          createPolicyChecker({ policy: compiled }).check({ pluginId: 'acme.notes', type, target: at }),
        );
        expect(isError(decision) || typeof decision.allowed === 'boolean').toBe(true);
      },
    );
  });

  it('front matter: split byte for byte, then a CompiledPolicy or a PolicyFileError', async () => {
    const text = fc.oneof(
      { weight: 2, arbitrary: editedText(yamlPolicies.map(markdown)) },
      policyText.map(markdown),
      anyText,
    );
    await fuzz('policy', text, (input) => {
      const split = typed(() => splitFrontMatter(input));
      if (!isError(split) && split.kind === 'found') {
        expect(split.open + split.yaml + split.close + split.body).toBe(input);
      }
      typed(() => parsePolicyText(input, 'front-matter', 'README.md'));
    });
  });

  it('policy documents as values: compiled or refused with a PolicyError', async () => {
    const documents = [
      { plugins: {} },
      { plugins: { 'acme.notes': { permissions: { read_files: { include: ['all'] } } } } },
    ];
    await fuzz('policy', fc.oneof(policy, editedJson(documents), oddValue), (document) => {
      typed(() => CompiledPolicy.compile(document));
    });
  });
});

// ---- host-function requests ----

describe('host-function requests', () => {
  const OUTCOMES = ['ok', 'failure', 'invalid_input', 'not_available', 'limit', 'internal_error'];
  const bundle: HostBundle = allowAllTwinBundle();
  const fields = requestFields();
  const vocabulary = [...new Set([...fields.values()].flat())];
  const value = fc.oneof(
    fc.constantFrom('a.md', 'Daily/b.md', 'bin/x.bin', 'Daily', '../x', '/etc/passwd', '', 'aGVsbG8=', '!!!'),
    fc.constantFrom('https://example.com/x', 'GET', 'POST', 'info', 'all', 'fuzz.target', 'x'.repeat(300)),
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const requestOf = (name: string) => {
    const own = fields.get(name) ?? [];
    const key =
      own.length > 0
        ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...own) }, fc.constantFrom(...vocabulary))
        : fc.constantFrom(...vocabulary);
    const object = fc
      .dictionary(key, value, { maxKeys: own.length + 1 })
      .map((request) => JSON.stringify(request));
    return fc.oneof(
      { weight: 3, arbitrary: object },
      object.chain((text) => editedText([text])),
      anyText,
    );
  };
  const call = fc
    .constantFrom(...HOST_FUNCTION_NAMES)
    .chain((name) => fc.tuple(fc.constant(name), requestOf(name)));
  const internalErrors: string[] = [];

  it('every function decodes and serves any request text with an answer in its shape', async () => {
    await fuzz(
      'host-requests',
      call,
      async ([name, text]) => {
        const decoded = typed(() => getHostFunction(name).decodeRequest(text));
        expect(isError(decoded) || typeof decoded.ok === 'boolean').toBe(true);
        const served = await typedAsync(async () =>
          serveBundleCall(bundle, name, text, { pluginId: 'fuzz.target', exportName: 'handle_command' }),
        );
        if (isError(served)) return;
        expect(OUTCOMES).toContain(served.outcome);
        expect(typeof served.answer === 'string' || served.answer instanceof Uint8Array).toBe(true);
        if (served.outcome === 'internal_error') internalErrors.push(`${name} ${text.slice(0, 200)}`);
      },
      RUNS * 3,
    );
    // A handler that throws is answered as an internal error (never a trap), but it is still a host bug.
    expect(internalErrors).toEqual([]);
  });
});
