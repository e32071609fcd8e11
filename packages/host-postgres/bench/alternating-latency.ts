/**
 * Compares asynchronous call paths by throughput and latency: the sides run in short blocks, take turns,
 * and the order rotates each block, so load, GC and JIT tier-up fall on all sides alike (the method of
 * packages/runtime/bench/alternating-blocks.ts). Each call is timed on its own; `inFlight` callers each
 * wait for their answer before the next call, and the calls per second are all callers' calls over the
 * block's wall time. The first blocks warm up.
 */
export interface LatencySide {
  name: string;
  call: (index: number) => unknown;
}

export interface LatencyResult {
  name: string;
  /** Counted calls over the counted blocks' wall time. */
  callsPerSecond: number;
  p50Us: number;
  p99Us: number;
  /** Median of the per-block ratios of wall time to the first side's (1 for the first side). */
  medianRatio: number;
}

export interface LatencyOptions {
  sides: readonly LatencySide[];
  blocks: number;
  warmupBlocks: number;
  /** A multiple of `inFlight`. */
  callsPerBlock: number;
  /** Callers at once. Default 1. */
  inFlight?: number;
}

export async function compareLatency(options: LatencyOptions): Promise<LatencyResult[]> {
  const { sides, blocks, warmupBlocks, callsPerBlock, inFlight = 1 } = options;
  if (sides.length < 2) throw new RangeError('compareLatency needs a baseline and at least one side');
  if (blocks <= warmupBlocks) throw new RangeError('compareLatency needs more blocks than warm-up blocks');
  if (callsPerBlock % inFlight !== 0) throw new RangeError('callsPerBlock must be a multiple of inFlight');
  const counted = (blocks - warmupBlocks) * callsPerBlock;
  const samples = sides.map(() => new Float64Array(counted));
  const ratios: number[][] = sides.map(() => []);
  const blockUs = sides.map(() => 0);
  const wallUs = sides.map(() => 0);
  let call = 0;
  for (let block = 0; block < blocks; block++) {
    const offset = (block - warmupBlocks) * callsPerBlock;
    for (let turn = 0; turn < sides.length; turn++) {
      const index = (turn + block) % sides.length;
      const side = sides[index]!;
      const into = samples[index]!;
      const caller = async (first: number) => {
        for (let i = first; i < first + callsPerBlock / inFlight; i++) {
          const start = performance.now();
          await side.call(call++);
          if (offset >= 0) into[offset + i] = (performance.now() - start) * 1000;
        }
      };
      const start = performance.now();
      await Promise.all(Array.from({ length: inFlight }, (_, n) => caller((n * callsPerBlock) / inFlight)));
      blockUs[index] = (performance.now() - start) * 1000;
    }
    if (block < warmupBlocks) continue;
    for (let index = 0; index < sides.length; index++) {
      wallUs[index]! += blockUs[index]!;
      ratios[index]!.push(blockUs[index]! / blockUs[0]!);
    }
  }
  return sides.map((side, index) => {
    const sorted = samples[index]!.sort();
    return {
      name: side.name,
      callsPerSecond: (counted * 1e6) / wallUs[index]!,
      p50Us: quantile(sorted, 0.5),
      p99Us: quantile(sorted, 0.99),
      medianRatio: quantile(Float64Array.from(ratios[index]!).sort(), 0.5),
    };
  });
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
