// What crosses between the test (Node) and the page (Chromium): JSON, with byte arrays tagged so they
// arrive as Uint8Array, and errors as their fields so the Node side can raise the same kind of error.
// Bundled into the page script too, so it uses nothing but the language and btoa/atob.

/** A value that did not survive the crossing: what a thrown error looked like. */
export interface CrossedError {
  name: string;
  message: string;
  /** PlinthError's code. */
  code?: string;
  /** WorkspaceFileError's fields. */
  reason?: string;
  path?: string;
  errno?: string;
}

/** An answer from the page: the value, or what was thrown. */
export type Crossed = { value?: unknown } | { error: CrossedError };

const BYTES = '$bytes';
const CHUNK = 0x8000;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // In chunks: spreading a megabyte into fromCharCode would overflow the stack.
  for (let start = 0; start < bytes.length; start += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** JSON text of `value`, byte arrays tagged. */
export const encodeCrossing = (value: unknown): string =>
  JSON.stringify(value, (_key, part: unknown) =>
    part instanceof Uint8Array ? { [BYTES]: toBase64(part) } : part,
  );

/** The value `encodeCrossing` was given (`undefined` inside objects is dropped, as JSON does). */
export const decodeCrossing = (text: string): unknown =>
  JSON.parse(text, (_key, part: unknown) => {
    if (typeof part === 'object' && part !== null && BYTES in part) {
      return fromBase64((part as Record<string, string>)[BYTES] ?? '');
    }
    return part;
  });

/** The fields of a thrown value that the other side needs to raise it again. */
export function crossedError(error: unknown): CrossedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields = error as Error & Partial<Record<'code' | 'reason' | 'path' | 'errno', unknown>>;
  const crossed: CrossedError = { name: error.name, message: error.message };
  for (const field of ['code', 'reason', 'path', 'errno'] as const) {
    const value = fields[field];
    if (typeof value === 'string') crossed[field] = value;
  }
  return crossed;
}
