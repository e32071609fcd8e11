import { z } from 'zod';
import { PlinthError } from './plinth-error.js';
import { formatPath } from './protocol-error.js';

/**
 * Options checking for every public factory of every Plinth package. A factory declares its options
 * schema once with `defineOptions<Options>()(schema)` (which fails to compile when the schema and the
 * TypeScript type name different keys, or when a valid `Options` value would not pass) and calls
 * `checkOptions(name, schema, options)` first thing. Bad options are a programming error of the caller, so
 * they throw an `OptionsError` (code `invalid_options`) whose message names the factory and every bad option.
 *
 * Unknown keys are refused (schemas use `z.strictObject`), with the closest known key suggested: a
 * misspelt optional option (`timeoutMS`, `polcy`) would otherwise be dropped silently and the default used.
 * Values the factory only hands on (callbacks, stores, checkers, bundles) are checked for their shape, not
 * inspected: see `functionOption` and `objectOption`.
 */

/** One bad option: its path from the options root (`limits.timeoutMs`, `''` for the options value itself). */
export interface OptionsProblem {
  path: string;
  /** What is wrong, after the path: `is required (a string)`, `must be … (got -1)`, `is unknown (…)`. */
  message: string;
}

const MARKER = Symbol.for('plinth.options-error');

/** Options that do not fit a factory's schema. The message reads `factory: option \`path\` problem; …`. */
export class OptionsError extends PlinthError {
  readonly [MARKER] = true;
  declare readonly code: 'invalid_options';
  /** The public function that refused its options, e.g. `createNodeHost`. */
  readonly factory: string;
  readonly problems: readonly OptionsProblem[];

  constructor(factory: string, problems: readonly OptionsProblem[]) {
    super('invalid_options', `${factory}: ${problems.map(describeProblem).join('; ')}`);
    this.name = 'OptionsError';
    this.factory = factory;
    this.problems = problems;
  }

  static override isInstance(value: unknown): value is OptionsError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}

const describeProblem = ({ path, message }: OptionsProblem): string =>
  path === '' ? `options ${message}` : `option \`${path}\` ${message}`;

/**
 * A zod schema tied at compile time to the options type `T`; made by `defineOptions<T>()`. The key is a
 * type-only brand (no such property exists at run time), so only `defineOptions` produces one.
 */
export type OptionsSchema<T> = z.ZodType & { readonly '~optionsType': T };

/**
 * `unknown` when schema input `I` fits options type `T`: the same keys (so a strict schema refuses no key
 * the type allows, and knows no key the type lacks) and every `T` value accepted. Otherwise an object type
 * naming the difference, which makes the `defineOptions` call fail to compile with that name in the error.
 */
export type OptionsMismatch<T, I> = [Exclude<keyof T, keyof I>] extends [never]
  ? [Exclude<keyof I, keyof T>] extends [never]
    ? [T] extends [I]
      ? unknown
      : { 'a value of the options type would not pass the schema': T }
    : { 'keys the schema has and the options type lacks': Exclude<keyof I, keyof T> }
  : { 'keys the options type has and the schema lacks': Exclude<keyof T, keyof I> };

/** Declares the options schema of type `T`: `defineOptions<FooOptions>()(z.strictObject({ … }))`. */
export function defineOptions<T>() {
  return <S extends z.ZodType>(schema: S & OptionsMismatch<T, z.input<S>>): S & OptionsSchema<T> =>
    schema as unknown as S & OptionsSchema<T>;
}

/**
 * Throws an `OptionsError` naming `factory` and each bad option unless `value` passes `schema`. The value
 * is checked, not transformed: the factory goes on with the caller's own object (and its defaults).
 */
export function checkOptions<T>(factory: string, schema: OptionsSchema<T>, value: T): void {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new OptionsError(factory, problemsOf(result.error.issues, schema, []));
}

/**
 * A callback. `what` describes it in errors (default "a function").
 *
 * @typeParam F - The callback's signature; only `typeof value === 'function'` is checked at run time.
 */
export function functionOption<F extends (...args: never[]) => unknown>(what = 'a function') {
  return z.custom<F>((value) => typeof value === 'function', { error: what }).describe(what);
}

/**
 * A value the factory hands on rather than reads (a checker, a store, a bundle): an object with at least
 * the named methods. `what` describes it in errors, e.g. "a PermissionChecker (with check and checkAsync)".
 */
export function objectOption<T>(what: string, methods: readonly string[] = []) {
  return z
    .custom<T>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function'),
      { error: what },
    )
    .describe(what);
}

/** A whole number from `min` to `max` (inclusive); without `max`, at least `min`. */
export function wholeNumberOption(min: number, max?: number) {
  const base = z.int().min(min);
  return max === undefined
    ? base.describe(min === 1 ? 'a positive whole number' : `a whole number of at least ${min}`)
    : base.max(max).describe(`a whole number from ${min} to ${max}`);
}

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

interface SchemaInternals {
  description?: string | undefined;
  _zod: { def: { type: string } & Record<string, unknown> };
}

/** What zod says for a `z.custom` or `.refine` given no message of its own. */
const DEFAULT_CUSTOM_MESSAGE = 'Invalid input';

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);

function problemsOf(issues: readonly Issue[], schema: unknown, prefix: Path): OptionsProblem[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeys(schemaAt(schema, issue.path));
      return issue.keys.map((key) => ({ path: pathText([...path, key]), message: unknownKey(key, known) }));
    }
    if (issue.code === 'invalid_union' && issue.input !== undefined) {
      // The one branch that fits the value's shape, if any, tells which nested option is wrong.
      const union = unwrap(schemaAt(schema, issue.path));
      const branches = (union?._zod.def['options'] as unknown[] | undefined) ?? [];
      const fitting = issue.errors
        .map((errors, index) => ({ errors, branch: branches[index] }))
        .filter(({ errors }) => errors.every((error) => error.path.length > 0));
      if (fitting.length === 1 && fitting[0] !== undefined) {
        return problemsOf(fitting[0].errors, fitting[0].branch, path);
      }
    }
    // A custom check that words its own expectation (a cross-field rule such as "at least `min`") wins;
    // one left with zod's default message falls back to the description like any other issue.
    const expected =
      issue.code === 'custom' && issue.message !== DEFAULT_CUSTOM_MESSAGE
        ? issue.message
        : (descriptionAt(schema, issue.path) ?? expectedOf(issue));
    // zod reports the input of every failing check, so `undefined` here means the option was left out.
    const missing = path.length > 0 && issue.input === undefined;
    return [
      {
        path: pathText(path),
        message: missing ? `is required (${expected})` : `must be ${expected} (got ${shown(issue.input)})`,
      },
    ];
  });
}

const pathText = (path: Path): string =>
  path.length === 0 ? '' : formatPath(path.map((key) => (typeof key === 'symbol' ? String(key) : key)));

function unwrap(schema: unknown): SchemaInternals | undefined {
  let current = schema as SchemaInternals | undefined;
  while (current !== undefined) {
    const def = current._zod.def;
    if (WRAPPERS.has(def.type)) current = def['innerType'] as SchemaInternals;
    else if (def.type === 'pipe') current = def['in'] as SchemaInternals;
    else if (def.type === 'lazy') current = (def['getter'] as () => SchemaInternals)();
    else return current;
  }
  return undefined;
}

function schemaAt(schema: unknown, path: Path): SchemaInternals | undefined {
  let current = schema as SchemaInternals | undefined;
  for (const key of path) {
    const def = unwrap(current)?._zod.def;
    if (def === undefined) return undefined;
    if (def.type === 'object') current = (def['shape'] as Record<PropertyKey, SchemaInternals>)[key];
    else if (def.type === 'array') current = def['element'] as SchemaInternals;
    else if (def.type === 'record') current = def['valueType'] as SchemaInternals;
    else return undefined;
  }
  return current;
}

/** The description of the schema at `path`, or of a wrapper around it (`.optional()`, `.default()`, …). */
function descriptionAt(schema: unknown, path: Path): string | undefined {
  let current = schemaAt(schema, path);
  while (current !== undefined) {
    if (current.description !== undefined) return current.description;
    const def = current._zod.def;
    if (WRAPPERS.has(def.type)) current = def['innerType'] as SchemaInternals;
    else if (def.type === 'pipe') current = def['in'] as SchemaInternals;
    else return undefined;
  }
  return undefined;
}

/** The keys an object schema (or a record keyed by an enum) knows, for suggestions. */
function objectKeys(schema: SchemaInternals | undefined): string[] {
  const def = unwrap(schema)?._zod.def;
  if (def?.type === 'object') return Object.keys(def['shape'] as object);
  const keyDef = def?.type === 'record' ? unwrap(def['keyType'])?._zod.def : undefined;
  return keyDef?.type === 'enum' ? Object.values(keyDef['entries'] as Record<string, string>) : [];
}

function unknownKey(key: string, known: readonly string[]): string {
  const closest = closestKey(key, known);
  return closest === undefined ? 'is unknown' : `is unknown (did you mean \`${closest}\`?)`;
}

/** The known key nearest to a misspelt one, when it is near enough to be a likely typo. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  const allowed = Math.max(1, Math.floor(Math.max(key.length, best?.length ?? 0) / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** Edit distance counting a swap of neighbours as one edit (`wacth` → `watch`), as typos usually are. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

const TYPE_NAMES: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  int: 'a whole number',
  boolean: 'true or false',
  function: 'a function',
  undefined: 'absent',
};

/** What a schema without a description expects, in words, from the issue zod raised. */
function expectedOf(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`;
    case 'too_small':
    case 'too_big':
      return boundText(issue);
    case 'invalid_value':
      return issue.values.length === 1
        ? shown(issue.values[0])
        : `one of ${issue.values.map((value) => shown(value)).join(', ')}`;
    case 'invalid_format':
      return `a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

function boundText(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const strict = issue.inclusive === false;
  if (issue.origin === 'string' && small && bound === 1) return 'a non-empty string';
  if (issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set') {
    const unit = issue.origin === 'string' ? 'characters' : 'items';
    return `${small ? 'at least' : 'at most'} ${strict ? bound + (small ? 1 : -1) : bound} ${unit}`;
  }
  const relation = small ? (strict ? 'greater than' : 'at least') : strict ? 'less than' : 'at most';
  return `a number ${relation} ${bound}`;
}

/** A short rendering of a bad value: scalars as written, objects by their keys (never their values). */
function shown(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype !== null && prototype !== Object.prototype) {
    const name = (value as object).constructor?.name;
    return name ? `a ${name}` : 'an object';
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  return `{ ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''} }`;
}
