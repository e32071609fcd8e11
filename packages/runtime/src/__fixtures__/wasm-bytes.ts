/** Hand-built module bytes, for inputs wabt cannot (or will not) produce. */

export const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00] as const;

export const SECTION = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;

/** The unsigned LEB128 encoding of a non-negative integer (any size). */
export function leb(value: number | bigint): number[] {
  let rest = BigInt(value);
  const out: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return out;
}

export function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...leb(bytes.length), ...bytes];
}

export function section(id: number, content: readonly number[]): number[] {
  return [id, ...leb(content.length), ...content];
}

export function vector(items: readonly (readonly number[])[]): number[] {
  return [...leb(items.length), ...items.flat()];
}

export function module(...sections: readonly (readonly number[])[]): Uint8Array<ArrayBuffer> {
  return Uint8Array.from([...HEADER, ...sections.flat()]);
}

export interface LimitsSpec {
  min: number;
  max?: number;
  shared?: boolean;
  memory64?: boolean;
}

export function limits({ min, max, shared = false, memory64 = false }: LimitsSpec): number[] {
  const flags = (max === undefined ? 0 : 1) | (shared ? 2 : 0) | (memory64 ? 4 : 0);
  return [flags, ...leb(min), ...(max === undefined ? [] : leb(max))];
}

export const importFunc = (from: string, field: string, typeIndex = 0): number[] => [
  ...name(from),
  ...name(field),
  0x00,
  ...leb(typeIndex),
];

export const importMemory = (from: string, field: string, spec: LimitsSpec): number[] => [
  ...name(from),
  ...name(field),
  0x02,
  ...limits(spec),
];

/** A module with one `() -> ()` type, the given function imports and one memory. */
export function moduleWith(options: {
  imports?: readonly number[][];
  memory?: LimitsSpec;
}): Uint8Array<ArrayBuffer> {
  const parts: number[][] = [section(SECTION.type, vector([[0x60, 0x00, 0x00]]))];
  if (options.imports !== undefined) parts.push(section(SECTION.import, vector(options.imports)));
  if (options.memory !== undefined) parts.push(section(SECTION.memory, vector([limits(options.memory)])));
  return module(...parts);
}
