import { SCOPE_ALL } from '@plinth/protocol';

/** A scope string from a policy, read: `all`, a value (path, host, command), or nothing usable. */
export type ParsedScope =
  { kind: 'all' } | { kind: 'value'; value: string; fromLink: boolean } | { kind: 'empty' };

const LINK = /^\[[^\]]*\]\((.*)\)$/s;

/** Decodes `%20`-style escapes in a link target; a malformed escape leaves the text as written. */
function decodeLinkTarget(target: string): string {
  try {
    return decodeURIComponent(target);
  } catch {
    return target;
  }
}

/**
 * The target of a markdown link scope `[Title](/path/x.md)`: angle brackets (`(<a b.md>)`) and a title
 * (`(/x.md "Title")`) are removed and `%xx` escapes decoded, as a markdown renderer would.
 */
function linkTarget(inner: string): string {
  const text = inner.trim();
  if (text.startsWith('<')) {
    const end = text.indexOf('>');
    return end === -1 ? text : decodeLinkTarget(text.slice(1, end));
  }
  const titled = /^(\S+)\s+(?:"[^"]*"|'[^']*'|\([^)]*\))$/.exec(text);
  return decodeLinkTarget(titled?.[1] ?? text);
}

/** Whether a scope is `all` (trimmed, any case). */
export const isAllScope = (scope: string): boolean => scope.trim().toLowerCase() === SCOPE_ALL;

/** Trims the scope; `all` in any case is the match-everything scope (as in Diaryx). */
export function parseScope(raw: string): ParsedScope {
  const scope = raw.trim();
  if (scope === '') return { kind: 'empty' };
  if (scope.toLowerCase() === SCOPE_ALL) return { kind: 'all' };
  const link = LINK.exec(scope);
  if (link !== null) {
    const target = linkTarget(link[1] as string);
    return target === '' ? { kind: 'empty' } : { kind: 'value', value: target, fromLink: true };
  }
  return { kind: 'value', value: scope, fromLink: false };
}
