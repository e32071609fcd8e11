import { findJsonTextDepthProblem, MAX_JSON_DEPTH, type JsonValue } from '@plinth/protocol';

export type ParamsResult = { ok: true; value: JsonValue | null } | { ok: false; message: string };

/**
 * The offset where JSON.parse gives up. V8 does not always say (`Unexpected token '}', "{"a":}" is not
 * valid JSON`), so a small scanner finds it; JSON.parse stays the parser.
 */
export function jsonErrorPosition(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[i] !== char) fail();
      i++;
    }
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (/[0-9a-fA-F]/.test(text[i + k] ?? '')) continue;
            i += k;
            fail();
          }
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match || match[0] === '-') fail();
    i += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail();
        string();
        space();
        if (text[i] !== ':') fail();
        i++;
        value();
        space();
        if (text[i] === '}') return void i++;
        if (text[i] !== ',') fail();
        i++;
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === ']') return void i++;
        if (text[i] !== ',') fail();
        i++;
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  try {
    value();
    space();
    if (i < text.length) fail();
  } catch (position) {
    return position as number;
  }
  return text.length;
}

/** Characters shown on either side of the caret; a longer line is cut, marked with `…`. */
const CONTEXT = 40;

/** Line, column (1-based) and the offending line with a caret under the position. */
function locate(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = position - lineStart + 1;
  const lineText = text.slice(lineStart).split('\n')[0] ?? '';
  const from = Math.max(0, column - 1 - CONTEXT);
  const to = column - 1 + CONTEXT;
  const shown = `${from > 0 ? '…' : ''}${lineText.slice(from, to)}${to < lineText.length ? '…' : ''}`;
  const caret = column - 1 - from + (from > 0 ? 1 : 0);
  return `at line ${line}, column ${column} (position ${position})\n    ${shown}\n    ${' '.repeat(caret)}^`;
}

/**
 * Parses a command's params argument; absent means `null` (the CommandRequest default). Text that is not
 * JSON, or nests deeper than MAX_JSON_DEPTH, is refused with a message that points at the spot.
 */
export function parseParams(text: string | undefined): ParamsResult {
  if (text === undefined) return { ok: true, value: null };
  // Checked on the text: past some thousands of levels the host could not even encode the params.
  const tooDeep = findJsonTextDepthProblem(text);
  if (tooDeep !== undefined) {
    return {
      ok: false,
      message: `[invalid_params] params nest ${tooDeep.depth} levels deep; the limit is ${MAX_JSON_DEPTH}: level ${MAX_JSON_DEPTH + 1} opens ${locate(text, tooDeep.offset)}`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    const position = jsonErrorPosition(text);
    const reason = (error as Error).message
      // V8 quotes the text, eliding a long one with "...": the caret below shows it better.
      .replace(/,? ?(in JSON at position|(\.\.\.)?".*" is not valid JSON).*$/s, '')
      .replace(/\n/g, '\\n');
    return { ok: false, message: `params are not valid JSON: ${reason} ${locate(text, position)}` };
  }
}
