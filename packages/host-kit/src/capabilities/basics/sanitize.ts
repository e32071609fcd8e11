/** Characters a log line must not carry raw: C0/C1 controls, DEL, line separators and bidi overrides. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Escapes what could forge or hide log lines (a newline starting a fake entry, an ANSI escape rewriting
 * the terminal, a bidi override reordering text), keeping it readable: `\n`, `\u001b`, … Cuts the result
 * at `maxLength` characters.
 */
export function sanitizeLogText(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  const escaped = text.replace(
    UNSAFE,
    (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (escaped.length <= maxLength) return escaped;
  const cut = escaped.slice(0, maxLength);
  // Never end on half a surrogate pair.
  const safe = /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
  return `${safe}… (${escaped.length - safe.length} more characters cut)`;
}
