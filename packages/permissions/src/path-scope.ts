import type { DecisionRule } from './decision.js';

/** Whether the last segment looks like a file name (`todo.md`), as opposed to a folder (`Daily`, `.config`). */
export function isFilePattern(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.lastIndexOf('.') > 0;
}

const NON_ASCII = /[\u0080-\uffff]/;
const SEGMENT_TRAILER = /[. ](?:\/|$)/;

/**
 * The form excludes are compared in: case-folded, NFC, and without trailing dots and spaces on segments.
 * Case-insensitive and Windows file systems treat `Daily/PRIVATE./x` as `Daily/private/x`, so an exclude
 * must too. Includes are never folded, so folding can only narrow what a policy grants.
 */
export function foldPath(path: string): string {
  let folded = NON_ASCII.test(path) ? path.normalize('NFC').toLowerCase() : path.toLowerCase();
  if (SEGMENT_TRAILER.test(folded)) {
    folded = folded
      .split('/')
      .map((segment) => segment.replace(/[. ]+$/, ''))
      .join('/');
  }
  return folded;
}

export interface PathScopeOptions {
  /** A multi-segment file pattern also matches everything under its parent folder (PROTOCOL.md §5 rule 4). */
  fileParent: boolean;
  /** Compare in folded form (see `foldPath`); used for excludes of file types. */
  fold: boolean;
}

/**
 * Path scopes compiled into one map of prefixes, so a match costs one lookup per segment of the target,
 * however many scopes the rule has. A prefix matches itself and everything under it, segment-wise:
 * `Daily` matches `Daily/x.md`, never `Dailyish.md`.
 */
export class PathScopeSet {
  private all: DecisionRule | undefined;
  private readonly prefixes = new Map<string, DecisionRule>();

  constructor(private readonly options: PathScopeOptions) {}

  get isEmpty(): boolean {
    return this.all === undefined && this.prefixes.size === 0;
  }

  addAll(rule: DecisionRule): void {
    this.all ??= rule;
  }

  /** Adds a normalized path (`""` is the root, which matches every path). */
  add(path: string, rule: DecisionRule): void {
    this.addPrefix(path, rule);
    const slash = path.lastIndexOf('/');
    if (this.options.fileParent && slash > 0 && isFilePattern(path))
      this.addPrefix(path.slice(0, slash), rule);
  }

  private addPrefix(prefix: string, rule: DecisionRule): void {
    const key = this.options.fold ? foldPath(prefix) : prefix;
    if (!this.prefixes.has(key)) this.prefixes.set(key, rule);
  }

  /** The first rule matching the normalized path, if any. */
  match(path: string): DecisionRule | undefined {
    if (this.all !== undefined) return this.all;
    if (this.prefixes.size === 0) return undefined;
    const target = this.options.fold ? foldPath(path) : path;
    const prefixes = this.prefixes;
    const root = prefixes.get('');
    if (root !== undefined) return root;
    for (let slash = target.indexOf('/'); slash !== -1; slash = target.indexOf('/', slash + 1)) {
      const hit = prefixes.get(target.slice(0, slash));
      if (hit !== undefined) return hit;
    }
    return prefixes.get(target);
  }
}
