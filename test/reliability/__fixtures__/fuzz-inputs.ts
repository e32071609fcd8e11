// Generators for the fuzz suite: random noise, and edits of valid inputs (bytes, text, JSON values), which
// reach much deeper into a parser than noise does. Nesting stays shallow on purpose: values nested past
// MAX_JSON_DEPTH are the JSON depth bound's own tests (json-depth.test.ts and its callers'), not ours.
import fc from 'fast-check';

const pick = <T>(items: readonly T[], index: number): T => {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};

// ---- bytes ----

type ByteEdit =
  | { op: 'set'; at: number; byte: number }
  | { op: 'flip'; at: number; bit: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'delete'; at: number; count: number }
  | { op: 'truncate'; at: number }
  | { op: 'repeat'; at: number; count: number; times: number };

/** Bytes that mean something in LEB128, wasm section ids and UTF-8. */
const SPECIAL_BYTE = fc.constantFrom(0x00, 0x01, 0x0b, 0x3f, 0x40, 0x60, 0x7f, 0x80, 0xbf, 0xc0, 0xef, 0xff);
const anyByte = fc.oneof(fc.integer({ min: 0, max: 255 }), SPECIAL_BYTE);

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: anyByte }),
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(anyByte, { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('repeat' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 16 }),
    times: fc.integer({ min: 2, max: 4 }),
  }),
);

export function editBytes(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array<ArrayBuffer> {
  let out = [...bytes];
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % out.length;
    if (edit.op === 'set') out[at] = edit.byte;
    else if (edit.op === 'flip') out[at] = (out[at] ?? 0) ^ (1 << edit.bit);
    else if (edit.op === 'insert') out.splice(at, 0, ...edit.bytes);
    else if (edit.op === 'delete') out.splice(at, edit.count);
    else if (edit.op === 'truncate') out = out.slice(0, at);
    else
      out.splice(
        at,
        0,
        ...Array.from({ length: edit.times - 1 }, () => out.slice(at, at + edit.count)).flat(),
      );
  }
  return Uint8Array.from(out);
}

/** One of `bases` with one to six byte edits. */
export const editedBytes = (bases: readonly Uint8Array[]): fc.Arbitrary<Uint8Array<ArrayBuffer>> =>
  fc
    .tuple(fc.nat(), fc.array(byteEdit, { minLength: 1, maxLength: 6 }))
    .map(([index, edits]) => editBytes(pick(bases, index), edits));

// ---- text ----

/** Fragments that matter to JSON, YAML, front matter, paths and UTF-16. */
const TOKENS = [
  '{', '}', '[', ']', '"', ':', ',', '\\', '\\u', '\\ud800', '\\u0000', '\u0000', '\ud800', '\udfff', '\uFEFF',
  '\u202e', 'null', 'true', '-', '-0', '1e999', '0x10', '9007199254740993', '__proto__', 'constructor', '\n',
  '\r\n', '\r', '\t', '---', '...', '&a ', '*a', '!!binary ', '!!js/function ', '<<: ', '- ', '# ', "'", '|',
  '>', '? ', '%YAML 1.2\n', '..', '../', '/etc/passwd', '%2e%2e', 'C:\\', 'all', 'https://', '\\\\?\\',
]; // prettier-ignore

type TextEdit =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; count: number }
  | { op: 'repeat'; at: number; count: number; times: number }
  | { op: 'truncate'; at: number };

const insertion = fc.oneof(
  fc.constantFrom(...TOKENS),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: insertion }) },
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 12 }) }),
  fc.record({
    op: fc.constant('repeat' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 24 }),
    times: fc.integer({ min: 2, max: 4 }),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

export function editText(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % (out.length + 1);
    if (edit.op === 'insert') out = out.slice(0, at) + edit.text + out.slice(at);
    else if (edit.op === 'delete') out = out.slice(0, at) + out.slice(at + edit.count);
    else if (edit.op === 'repeat')
      out = out.slice(0, at) + out.slice(at, at + edit.count).repeat(edit.times) + out.slice(at + edit.count);
    else out = out.slice(0, at);
  }
  return out;
}

/** One of `bases` with one to six text edits. */
export const editedText = (bases: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.nat(), fc.array(textEdit, { minLength: 1, maxLength: 6 }))
    .map(([index, edits]) => editText(pick(bases, index), edits));

/** Noise: any string, including lone surrogates and control characters. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom(...TOKENS), maxLength: 12 }),
);

// ---- JSON values ----

/** Values JSON can hold, and some that JSON.parse never gives but a JavaScript caller might. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  fc.constantFrom(
    -0,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    0.1,
    '',
    ' ',
    '\u0000',
    '\ud800',
    'all',
    '..',
  ),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, undefined),
  fc.string({ minLength: 200, maxLength: 2000 }),
  fc.array(fc.string(), { maxLength: 40 }),
);

type JsonEdit =
  | { op: 'replace'; target: number; value: unknown }
  | { op: 'delete'; target: number }
  | { op: 'add'; target: number; key: string; value: unknown }
  | { op: 'wrap'; target: number; inArray: boolean };

const oddKey = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', '', 'id'),
);
const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('replace' as const), target: fc.nat(), value: oddValue }),
  },
  fc.record({ op: fc.constant('delete' as const), target: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), target: fc.nat(), key: oddKey, value: oddValue }),
  fc.record({ op: fc.constant('wrap' as const), target: fc.nat(), inArray: fc.boolean() }),
);

/** Sets an own property, even `__proto__` (plain assignment would set the prototype instead). */
const setOwn = (object: object, key: string, value: unknown): void =>
  void Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });

type Slot = { parent: object; key: string | number } | { parent: undefined };

/** Every place in `root` a value sits, the root first. */
function slots(root: unknown): Slot[] {
  const found: Slot[] = [{ parent: undefined }];
  const visit = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
      found.push({ parent: value, key });
      visit((value as Record<string | number, unknown>)[key]);
    }
  };
  visit(root);
  return found;
}

export function editJson(value: unknown, edits: readonly JsonEdit[]): unknown {
  let root: unknown = structuredClone(value);
  for (const edit of edits) {
    const all = slots(root);
    const slot = pick(all, edit.target);
    const current =
      slot.parent === undefined ? root : (slot.parent as Record<string | number, unknown>)[slot.key];
    const put = (next: unknown) => {
      if (slot.parent === undefined) root = next;
      else if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = next;
      else setOwn(slot.parent, String(slot.key), next);
    };
    if (edit.op === 'replace') put(edit.value);
    else if (edit.op === 'wrap') put(edit.inArray ? [current] : { value: current });
    else if (edit.op === 'add') {
      if (typeof current === 'object' && current !== null && !Array.isArray(current))
        setOwn(current, edit.key, edit.value);
      else if (Array.isArray(current)) current.push(edit.value);
      else put(edit.value);
    } else if (slot.parent === undefined) root = undefined;
    else if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
    else delete (slot.parent as Record<string, unknown>)[slot.key];
  }
  return root;
}

/** One of `bases` with up to four structural edits (none now and then, so valid input gets through too). */
export const editedJson = (bases: readonly unknown[]): fc.Arbitrary<unknown> =>
  fc
    .tuple(fc.nat(), fc.array(jsonEdit, { maxLength: 4 }))
    .map(([index, edits]) => editJson(pick(bases, index), edits));

/** JSON text of a value; `undefined` (which JSON cannot hold) as the empty string. */
export const jsonText = (value: unknown): string => JSON.stringify(value) ?? '';
