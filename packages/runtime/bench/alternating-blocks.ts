/**
 * The one way the in-thread benches compare call paths: every side runs in short blocks, the sides take
 * turns, and the order rotates each block, so machine load, GC and JIT tier-up fall on all sides alike
 * (timing one side after the other made whichever ran first look ~1.2–1.5× slower). The first blocks
 * warm up and are not counted. A side's ratio is the median of its per-block ratios to the baseline (a
 * load spike skews a block, not the result); the ratio of the counted totals is reported beside it.
 */
export interface Side {
  name: string;
  call: () => Promise<unknown>;
  /** Runs before each of the side's blocks, untimed (e.g. to switch global state between sides). */
  before?: () => void;
}

export interface SideResult {
  name: string;
  /** Mean µs per call over the counted blocks. */
  meanUs: number;
  /** Median of the per-block ratios to the baseline (1 for the baseline itself). */
  medianRatio: number;
  /** Counted time over the baseline's counted time. */
  pooledRatio: number;
}

export interface AlternatingOptions {
  /** The first side is the baseline every ratio is taken against. */
  sides: readonly Side[];
  blocks?: number;
  warmupBlocks?: number;
  callsPerBlock?: number;
}

export const DEFAULT_BLOCKS = { blocks: 400, warmupBlocks: 40, callsPerBlock: 100 } as const;

export async function compareAlternating(options: AlternatingOptions): Promise<SideResult[]> {
  const { sides } = options;
  const blocks = options.blocks ?? DEFAULT_BLOCKS.blocks;
  const warmupBlocks = options.warmupBlocks ?? DEFAULT_BLOCKS.warmupBlocks;
  const callsPerBlock = options.callsPerBlock ?? DEFAULT_BLOCKS.callsPerBlock;
  if (sides.length < 2) throw new RangeError('compareAlternating needs a baseline and at least one side');
  if (blocks <= warmupBlocks)
    throw new RangeError('compareAlternating needs more blocks than warm-up blocks');
  const totals = sides.map(() => 0);
  const ratios: number[][] = sides.map(() => []);
  const blockUs = sides.map(() => 0);
  for (let block = 0; block < blocks; block++) {
    for (let turn = 0; turn < sides.length; turn++) {
      const index = (turn + block) % sides.length;
      sides[index]!.before?.();
      blockUs[index] = await time(callsPerBlock, sides[index]!.call);
    }
    if (block < warmupBlocks) continue;
    for (let index = 0; index < sides.length; index++) {
      totals[index]! += blockUs[index]!;
      ratios[index]!.push(blockUs[index]! / blockUs[0]!);
    }
  }
  const counted = blocks - warmupBlocks;
  return sides.map((side, index) => ({
    name: side.name,
    meanUs: totals[index]! / counted,
    medianRatio: median(ratios[index]!),
    pooledRatio: totals[index]! / totals[0]!,
  }));
}

/** Mean µs per call over `count` sequential calls. */
export async function time(count: number, call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await call();
  return ((performance.now() - start) * 1000) / count;
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}
