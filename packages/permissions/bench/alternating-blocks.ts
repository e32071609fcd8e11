/**
 * Times several sides in short blocks that take turns, the order rotating each block, so machine load, GC
 * and JIT tier-up fall on every side alike (timing one side after the other favours whichever runs
 * later). The first blocks warm up and are not counted. A side's figure is the median over the counted
 * blocks of its mean time per operation in the block, so a spike skews a block, not the result. Each
 * block is timed twice: CPU time of this process (what the code costs, whatever else the machine runs)
 * and wall-clock time (which also counts time the process waited for a core).
 */
export interface Side {
  name: string;
  /** Operations per block. */
  ops: number;
  /** Untimed set-up before each block (e.g. fresh copies of the inputs, whose hashes are not cached yet). */
  prepare?: () => void;
  /** Runs `ops` operations; returns a number, so the work cannot be optimized away. */
  run: () => number;
}

export interface SideResult {
  name: string;
  /** Median over the counted blocks of CPU µs per operation. */
  cpuUs: number;
  /** Median over the counted blocks of wall-clock µs per operation. */
  wallUs: number;
  /** Median over the counted blocks of the ratio of its CPU time per operation to the first side's. */
  ratioToFirst: number;
}

export interface AlternatingOptions {
  sides: readonly Side[];
  blocks: number;
  warmupBlocks: number;
}

let sink = 0;

export function compareAlternating(options: AlternatingOptions): SideResult[] {
  const { sides, blocks, warmupBlocks } = options;
  if (blocks <= warmupBlocks)
    throw new RangeError('compareAlternating needs more blocks than warm-up blocks');
  const cpu: number[][] = sides.map(() => []);
  const wall: number[][] = sides.map(() => []);
  for (let block = 0; block < blocks; block++) {
    for (let turn = 0; turn < sides.length; turn++) {
      const index = (turn + block) % sides.length;
      const side = sides[index] as Side;
      side.prepare?.();
      const startCpu = process.cpuUsage();
      const start = performance.now();
      sink += side.run();
      const wallUs = (performance.now() - start) * 1000;
      const { user, system } = process.cpuUsage(startCpu);
      if (block < warmupBlocks) continue;
      cpu[index]?.push((user + system) / side.ops);
      wall[index]?.push(wallUs / side.ops);
    }
  }
  if (sink === -1) console.log(sink);
  const first = cpu[0] ?? [];
  return sides.map((side, index) => ({
    name: side.name,
    cpuUs: median(cpu[index] ?? []),
    wallUs: median(wall[index] ?? []),
    ratioToFirst: median((cpu[index] ?? []).map((us, block) => us / (first[block] as number))),
  }));
}

export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}
