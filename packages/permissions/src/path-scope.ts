import type { DecisionRule } from './decision.js';

/** Whether the last segment looks like a file name (`todo.md`), as opposed to a folder (`Daily`, `.config`). */
export function isFilePattern(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.lastIndexOf('.') > 0;
}

const ASCII = /^[\0-\x7f]*$/;
/**
 * Trailing dots and spaces of a segment. The lookbehind starts a match only at the start of a run, so a
 * long run followed by other characters costs one pass, not one pass per character.
 */
const SEGMENT_TRAILER = /(?<![. ])[. ]+(?=\/|$)/g;
const DOT = 0x2e;
const SLASH = 0x2f;
const SPACE = 0x20;

/**
 * The form excludes are compared in: case-folded, NFC, and without trailing dots and spaces on segments.
 * Case-insensitive and Windows file systems treat `Daily/PRIVATE./x` as `Daily/private/x`, so an exclude
 * must too. Includes are never folded, so folding can only narrow what a policy grants.
 */
export function foldPath(path: string): string {
  const folded = ASCII.test(path) ? path.toLowerCase() : path.normalize('NFC').toLowerCase();
  return folded.replace(SEGMENT_TRAILER, '');
}

/**
 * `foldPath` of one segment. Folding never reaches across a `/` (NFC composes nothing with it, and the
 * final-sigma rule stops at it), so folding segment by segment gives the same result as folding the path.
 */
function foldSegment(segment: string): string {
  const folded = ASCII.test(segment) ? segment.toLowerCase() : segment.normalize('NFC').toLowerCase();
  let end = folded.length;
  for (
    let code = folded.charCodeAt(end - 1);
    code === DOT || code === SPACE;
    code = folded.charCodeAt(end - 1)
  )
    end--;
  return end === folded.length ? folded : folded.slice(0, end);
}

export interface PathScopeOptions {
  /**
   * A multi-segment file pattern also matches everything under its parent folder
   * (packages/protocol/PROTOCOL.md §5.3 rule 4).
   */
  fileParent: boolean;
  /** Compare in folded form (see `foldPath`); used for excludes of file types. */
  fold: boolean;
}

/**
 * Path scopes compiled into one map of prefixes and the sorted set of their lengths. A prefix of length n
 * can only match where the target has a `/` at n or ends there, so a match looks at each distinct length
 * once and hashes only prefixes that can match. Excludes are compared folded, and only the first segments
 * of a target (as many as the deepest scope has) are folded. A match therefore costs work bounded by the
 * policy, however deep or long the target. A prefix matches itself and everything under it, segment-wise:
 * `Daily` matches `Daily/x.md`, never `Dailyish.md`. The shortest matching prefix wins.
 */
export class PathScopeSet {
  private all: DecisionRule | undefined;
  private root: DecisionRule | undefined;
  private readonly prefixes = new Map<string, DecisionRule>();
  /** Distinct lengths of the keys of `prefixes`, ascending. */
  private readonly lengths: number[] = [];
  /** The most segments a key has. */
  private depth = 0;
  /** First segments of the keys: a folded target whose first segment is not one of them matches nothing. */
  private readonly heads = new Set<string>();

  constructor(private readonly options: PathScopeOptions) {}

  get isEmpty(): boolean {
    return this.all === undefined && this.root === undefined && this.prefixes.size === 0;
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
    const segments = this.options.fold ? prefix.split('/').map(foldSegment) : prefix.split('/');
    const key = segments.join('/');
    // The root, or a scope that folds to nothing (`...`): matches every path.
    if (key === '') {
      this.root ??= rule;
      return;
    }
    if (this.prefixes.has(key)) return;
    this.prefixes.set(key, rule);
    this.heads.add(segments[0] as string);
    this.depth = Math.max(this.depth, segments.length);
    if (!this.lengths.includes(key.length)) {
      this.lengths.push(key.length);
      this.lengths.sort((a, b) => a - b);
    }
  }

  /** The first rule matching the normalized path, if any. */
  match(path: string): DecisionRule | undefined {
    const found = this.all ?? this.root;
    if (found !== undefined || this.lengths.length === 0) return found;
    // Past its last segment the folded head is followed by `/` in the path: a key as long as the head matches.
    const target = this.options.fold ? foldHead(path, this.depth, this.heads) : path;
    if (target === undefined) return undefined;
    const end = target.length;
    for (const length of this.lengths) {
      if (length >= end) return length === end ? this.prefixes.get(target) : undefined;
      if (target.charCodeAt(length) === SLASH) {
        const hit = this.prefixes.get(target.slice(0, length));
        if (hit !== undefined) return hit;
      }
    }
    return undefined;
  }
}

/**
 * The first `count` segments of the path, each folded (see `foldSegment`), joined by `/`; `undefined` if
 * the first is not among `heads`, since then no key can match.
 */
function foldHead(path: string, count: number, heads: ReadonlySet<string>): string | undefined {
  let head = '';
  let start = 0;
  for (let segment = 0; segment < count; segment++) {
    const slash = path.indexOf('/', start);
    const folded = foldSegment(slash === -1 ? path.slice(start) : path.slice(start, slash));
    if (segment === 0 && !heads.has(folded)) return undefined;
    head = segment === 0 ? folded : `${head}/${folded}`;
    if (slash === -1) break;
    start = slash + 1;
  }
  return head;
}
