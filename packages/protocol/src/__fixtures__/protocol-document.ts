/**
 * Reads the hand-written parts of the package's PROTOCOL.md, for tests that check the code against the
 * contract. The generated regions are cut out first, so no test can pass by reading back what the code
 * wrote. Pure: each test reads the file itself (`PROTOCOL_URL`), since this package imports no `node:`.
 */
export const PROTOCOL_URL = new URL('../../PROTOCOL.md', import.meta.url);

const GENERATED = /<!-- generated:([a-z0-9-]+):start -->[\s\S]*?<!-- generated:\1:end -->/g;

export interface ProtocolDocument {
  /** The document without its generated regions. */
  text: string;
  /** The text under a heading (`### 4.3 Required set`), up to the next heading of its level or higher. */
  section(heading: string): string;
}

export function handWrittenParts(markdown: string): ProtocolDocument {
  const text = markdown.replace(GENERATED, '');
  const lines = text.split('\n');
  const depth = (line: string) => /^#+ /.exec(line)?.[0].length ?? 0;
  return {
    text,
    section(heading) {
      const from = lines.indexOf(heading);
      if (from === -1 || depth(heading) === 0) throw new Error(`PROTOCOL.md has no heading "${heading}"`);
      const next = lines.findIndex(
        (line, index) => index > from && depth(line) > 0 && depth(line) <= depth(heading),
      );
      return lines.slice(from + 1, next === -1 ? undefined : next).join('\n');
    },
  };
}

/** The body rows of every table in `text`, as trimmed cells (header and separator rows left out). */
export function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  let previous = '';
  for (const line of text.split('\n')) {
    const isRow = line.startsWith('|');
    const isSeparator = /^\|(\s*:?-+:?\s*\|)+$/.test(line);
    // A row right after a non-row line is a header; the separator under it is skipped too.
    if (isRow && !isSeparator && previous.startsWith('|')) {
      rows.push(
        line
          .slice(1, -1)
          .split(/(?<!\\)\|/)
          .map((cell) => cell.trim()),
      );
    }
    previous = line;
  }
  return rows;
}

/** The names written in code spans in `text`, in order, e.g. every `` `read_files` ``. */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
}
