/**
 * Compares asynchronous call paths by throughput and latency: the sides run in short blocks, take turns,
 * and the order rotates each block, so load, GC and JIT tier-up fall on all sides alike (the method of
 * packages/runtime/bench/alternating-blocks.ts). Each call is timed on its own, one call at a time, so the
 * calls per second are those of one caller waiting for each answer. The first blocks warm up.
 */
export interface LatencySide {
  name: string;
  call: (index: number) => unknown;
}

export interface LatencyResult {
  name: string;
  /** Counted calls over their summed time. */
  callsPerSecond: number;
  p50Us: number;
  p99Us: number;
  /** Median of the per-block ratios of mean call time to the first side's (1 for the first side). */
  medianRatio: number;
}

export interface LatencyOptions {
  sides: readonly LatencySide[];
  blocks: number;
  warmupBlocks: number;
  callsPerBlock: number;
}

export async function compareLatency(options: LatencyOptions): Promise<LatencyResult[]> {
  const { sides, blocks, warmupBlocks, callsPerBlock } = options;
  if (sides.length < 2) throw new RangeError('compareLatency needs a baseline and at least one side');
  if (blocks <= warmupBlocks) throw new RangeError('compareLatency needs more blocks than warm-up blocks');
  const counted = (blocks - warmupBlocks) * callsPerBlock;
  const samples = sides.map(() => new Float64Array(counted));
  const ratios: number[][] = sides.map(() => []);
  const blockUs = sides.map(() => 0);
  let call = 0;
  for (let block = 0; block < blocks; block++) {
    const offset = (block - warmupBlocks) * callsPerBlock;
    for (let turn = 0; turn < sides.length; turn++) {
      const index = (turn + block) % sides.length;
      const side = sides[index]!;
      const into = samples[index]!;
      let total = 0;
      for (let i = 0; i < callsPerBlock; i++) {
        const start = performance.now();
        await side.call(call++);
        const us = (performance.now() - start) * 1000;
        total += us;
        if (offset >= 0) into[offset + i] = us;
      }
      blockUs[index] = total;
    }
    if (block < warmupBlocks) continue;
    for (let index = 0; index < sides.length; index++) ratios[index]!.push(blockUs[index]! / blockUs[0]!);
  }
  return sides.map((side, index) => {
    const sorted = samples[index]!.sort();
    const sum = sorted.reduce((a, b) => a + b, 0);
    return {
      name: side.name,
      callsPerSecond: (counted * 1e6) / sum,
      p50Us: quantile(sorted, 0.5),
      p99Us: quantile(sorted, 0.99),
      medianRatio: quantile(Float64Array.from(ratios[index]!).sort(), 0.5),
    };
  });
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
