import type { CliArg, CliCommand } from '@plinth/protocol';

/** The JSON Schema of one tool parameter, from one CLI hint arg. */
export interface ToolParameterSchema {
  type: 'string' | 'integer' | 'number' | 'boolean';
  description: string;
  default?: string | number | boolean;
}

/** A JSON Schema object, as MCP's `inputSchema` wants it. */
export interface ToolInputSchema {
  type: 'object';
  properties?: Record<string, ToolParameterSchema>;
  required?: string[];
  additionalProperties?: boolean;
  [key: string]: unknown;
}

const OPEN_OBJECT: ToolInputSchema = { type: 'object', additionalProperties: true };

const JSON_TYPES = {
  String: 'string',
  Path: 'string',
  Integer: 'integer',
  Float: 'number',
  Boolean: 'boolean',
} as const satisfies Record<CliArg['value_type'], ToolParameterSchema['type']>;

function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

/** The CLI hint that runs `command` (contributions.ts: `command_name`, else the PascalCase of `name`). */
export function findCliHint(cli: readonly CliCommand[], command: string): CliCommand | undefined {
  for (const hint of cli) {
    const runs = hint.command_name ?? pascalCase(hint.name);
    if (runs === command || hint.name === command) return hint;
    const nested = findCliHint(hint.subcommands, command);
    if (nested) return nested;
  }
  return undefined;
}

/** `default_value` is text; a default that does not read as the parameter's type is left out, not guessed. */
function typedDefault(
  text: string,
  type: ToolParameterSchema['type'],
): string | number | boolean | undefined {
  switch (type) {
    case 'string':
      return text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'integer':
    case 'number': {
      const value = text.trim() === '' ? Number.NaN : Number(text);
      if (type === 'integer') return Number.isSafeInteger(value) ? value : undefined;
      return Number.isFinite(value) ? value : undefined;
    }
  }
}

function parameterSchema(arg: CliArg): ToolParameterSchema {
  const type = arg.is_flag ? 'boolean' : JSON_TYPES[arg.value_type];
  const help = arg.help.trim();
  let description = help === '' ? `The ${arg.name} parameter` : help;
  if (arg.value_type === 'Path' && !arg.is_flag) {
    description = help === '' ? 'A workspace-relative path' : `${help} (a workspace-relative path)`;
  }
  const schema: ToolParameterSchema = { type, description };
  const declared = arg.default_value ?? undefined;
  // A flag left out is false, as on the command line.
  const fallback = declared === undefined ? (arg.is_flag ? false : undefined) : typedDefault(declared, type);
  if (fallback !== undefined) schema.default = fallback;
  return schema;
}

/** The hint's args, each name once (the first declaration wins, as a CLI parser would take it). */
function uniqueArgs(hint: CliCommand): CliArg[] {
  const seen = new Set<string>();
  return hint.args.filter((arg) => {
    if (seen.has(arg.name)) return false;
    seen.add(arg.name);
    return true;
  });
}

/**
 * The input schema of a command: from its CLI hint's args (types, defaults, which are required, each one
 * described), else an open object.
 */
export function inputSchemaFor(hint: CliCommand | undefined): ToolInputSchema {
  const args = hint ? uniqueArgs(hint) : [];
  if (args.length === 0) return OPEN_OBJECT;
  // fromEntries defines own properties, so an arg named `__proto__` is a parameter like any other.
  const properties = Object.fromEntries(args.map((arg) => [arg.name, parameterSchema(arg)]));
  const required = args.filter((arg) => arg.required).map((arg) => arg.name);
  // Open: the hint describes what the CLI shows, the command may accept more.
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: true,
  };
}

/** ` Parameters: path (required), limit, verbose.` for a tool description; empty without hinted args. */
export function describeParameters(hint: CliCommand | undefined): string {
  const args = hint ? uniqueArgs(hint) : [];
  if (args.length === 0) return '';
  return ` Parameters: ${args.map((arg) => (arg.required ? `${arg.name} (required)` : arg.name)).join(', ')}.`;
}
