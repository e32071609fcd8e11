// Finds paths in a file's text that leave the repository: relative paths with more `..` than the file is
// deep, and absolute paths into the folder that holds the checkout. Used by no-outside-paths.test.ts.
import { dirname, isAbsolute, join, parse, resolve, sep } from 'node:path';

/** One path in a file that resolves outside the repository. */
export interface OutsidePath {
  /** Repository-relative file, `/`-separated. */
  file: string;
  /** 1-based line number. */
  line: number;
  /** The path as written. */
  text: string;
  /** Where it resolves to. */
  target: string;
}

/**
 * A path that starts with a `../` segment, with whatever segments follow it. It must not continue a longer
 * token: `a/../b` is relative to something else, and `...rest` is a spread.
 */
const RELATIVE = /(?<![\w.\\/@-])\.\.\/[\w@.+~/-]*/g;
/** Quoted segments passed one by one to `join` or `resolve`, the first of them a quoted `..`. */
const SEGMENTS = /(['"])\.\.\1(?:\s*,\s*(['"])[\w@.+~/-]*\2)*/g;
/** An absolute path or a `file:` URL's path: `/dir/…` not inside a longer token or URL. */
const ABSOLUTE = /(?:file:\/\/|(?<![\w.\\/@:-]))(\/[\w@.+~-]+(?:\/[\w@.+~-]*)*)/g;

/** Whether `target` is `root` or inside it. */
function inside(root: string, target: string): boolean {
  return target === root || target.startsWith(root + sep);
}

/**
 * The paths in `text` (the content of `file`, relative to `root`) that resolve outside `root`. Relative
 * paths resolve from the file's own folder, as a module specifier or `new URL(…, import.meta.url)` does.
 * Absolute paths count when they fall in the checkout's parent folder: a sibling of the checkout, or the
 * checkout itself by a name no other clone shares.
 */
export function findOutsidePaths(root: string, file: string, text: string): OutsidePath[] {
  const found: OutsidePath[] = [];
  const folder = dirname(join(root, file));
  const parent = dirname(root);
  const checksAbsolute = parent !== parse(root).root;
  text.split('\n').forEach((line, index) => {
    const report = (written: string, target: string) =>
      found.push({ file, line: index + 1, text: written, target });
    for (const match of line.matchAll(RELATIVE)) {
      const target = resolve(folder, match[0]);
      if (!inside(root, target)) report(match[0], target);
    }
    for (const match of line.matchAll(SEGMENTS)) {
      const written = match[0];
      const joined = written
        .split(',')
        .map((segment) => segment.trim().slice(1, -1))
        .join('/');
      const target = resolve(folder, joined);
      if (!inside(root, target)) report(written, target);
    }
    if (!checksAbsolute) return;
    for (const match of line.matchAll(ABSOLUTE)) {
      const written = match[1] as string;
      if (isAbsolute(written) && inside(parent, resolve(written))) report(match[0], resolve(written));
    }
  });
  return found;
}
