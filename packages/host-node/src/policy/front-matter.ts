/** A markdown file cut at its YAML front matter; `open + yaml + close + body` is the file, byte for byte. */
export interface FrontMatter {
  open: string;
  yaml: string;
  close: string;
  body: string;
}

/** What `splitFrontMatter` found: no front matter, an opening `---` that is never closed, or the parts. */
export type FrontMatterSplit =
  { kind: 'none' } | { kind: 'unterminated' } | ({ kind: 'found' } & FrontMatter);

const OPEN = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/;

/** Finds front matter: a first line `---`, then YAML up to a line `---` (or `...`). */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const open = OPEN.exec(text)?.[0];
  if (open === undefined) return { kind: 'none' };
  let at = open.length;
  for (;;) {
    const newline = text.indexOf('\n', at);
    const end = newline === -1 ? text.length : newline + 1;
    const line = text.slice(at, end).replace(/\r?\n$/, '');
    if (CLOSE.test(line)) {
      return {
        kind: 'found',
        open,
        yaml: text.slice(open.length, at),
        close: text.slice(at, end),
        body: text.slice(end),
      };
    }
    if (newline === -1) return { kind: 'unterminated' };
    at = end;
  }
}
