import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUGE_BYTES, KEY_BYTES, kernelGuest } from './__fixtures__/kernel-guests.js';
import type { CallOutcome, IsolatedCallsScript } from './__fixtures__/run-isolated-calls.js';

/**
 * Issue #5: a guest must never abort the host process through the isolated lane's worker heap. Each
 * scenario runs in a child process: were the worker to meet its heap limit with one large allocation,
 * Node would abort that process (exit 134), and the test fails on its exit status instead of dying.
 */

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const runner = fileURLToPath(new URL('./__fixtures__/run-isolated-calls.ts', import.meta.url));
// A small heap: 100 MiB turned into one string is far past it, and hoarding reaches its edge quickly.
const SMALL_HEAP = { maxOldGenerationSizeMb: 64 };
const slow = { timeout: 120_000 };

let dir = '';
let wasmPath = '';
let nearBlockLimitPath = '';
// Close to 3 200 pages (200 MiB) of block memory, the size that aborted a worker at the default heap.
const NEAR_BLOCK_LIMIT = 190 * 1024 * 1024;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plinth-kernel-guards-'));
  wasmPath = join(dir, 'guest.wasm');
  // 7 000 vars of a 4 KiB key: about 28 MiB of strings, close to the 64 MiB heap's limit.
  await writeFile(wasmPath, await kernelGuest({ hoardVars: 7_000, hoardKeyBytes: KEY_BYTES }));
  nearBlockLimitPath = join(dir, 'near-block-limit.wasm');
  await writeFile(
    nearBlockLimitPath,
    await kernelGuest({ hoardVars: 7_000, hoardKeyBytes: KEY_BYTES, hugeBytes: NEAR_BLOCK_LIMIT }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the calls in a child process; rejects with its exit status and stderr if it did not exit 0. */
async function inChild(
  script: Omit<IsolatedCallsScript, 'wasmPath'>,
  guest = wasmPath,
): Promise<CallOutcome[]> {
  const scriptPath = join(dir, `script-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(scriptPath, JSON.stringify({ wasmPath: guest, ...script }));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', runner, scriptPath], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { code?: number; signal?: string; stderr?: string }) => {
    throw new Error(
      `the child process exited with ${error.code ?? error.signal}: ${error.stderr?.slice(-2_000)}`,
    );
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CallOutcome);
}

const pong: CallOutcome = { outcome: 'output', text: 'pong' };

describe('isolated lane: guest blocks that rc13 would turn into huge worker strings', slow, () => {
  it('answers a huge config_get key as missing after hoarding vars near the heap limit', async () => {
    const outcomes = await inChild({
      calls: ['hoard_then_huge_config_key', 'ping'],
      limits: { maxVarBytes: 32 * 1024 * 1024 },
      resourceLimits: SMALL_HEAP,
    });
    expect(outcomes).toEqual([{ outcome: 'output', text: 'missing' }, pong]);
  });

  it('stops a guest setting a var under a huge key with a typed trap', async () => {
    const outcomes = await inChild({ calls: ['huge_var_key', 'ping'], resourceLimits: SMALL_HEAP });
    expect(outcomes).toEqual([
      {
        outcome: 'error',
        code: 'trap',
        limit: null,
        message: `plugin acme.hostile@0.1.0 (huge_var_key) failed: var_set: the key is ${HUGE_BYTES} bytes; var keys are at most 4096 bytes`,
      },
      pong,
    ]);
  });

  it('answers a var_get of a huge key as missing', async () => {
    const outcomes = await inChild({ calls: ['huge_var_get', 'ping'], resourceLimits: SMALL_HEAP });
    expect(outcomes).toEqual([{ outcome: 'output', text: 'missing' }, pong]);
  });

  it('cuts a huge error_set message to 64 KiB with a marker', async () => {
    const outcomes = await inChild({ calls: ['huge_error', 'ping'], resourceLimits: SMALL_HEAP });
    const prefix = 'plugin acme.hostile@0.1.0 (huge_error) failed: ';
    expect(outcomes).toEqual([
      {
        outcome: 'error',
        code: 'guest_error',
        limit: null,
        message: `${prefix}${'\u0000'.repeat(64 * 1024)}… [truncated: ${HUGE_BYTES} bytes]`,
      },
      pong,
    ]);
  });

  it('runs the huge-key and huge-error guests at the default heap with 3 200 pages of block memory', async () => {
    const outcomes = await inChild(
      {
        calls: ['hoard_then_huge_config_key', 'huge_var_key', 'huge_var_get', 'huge_error', 'ping'],
        limits: { hostMemoryMaxPages: 3_200, maxVarBytes: 32 * 1024 * 1024 },
      },
      nearBlockLimitPath,
    );
    expect(outcomes.map((outcome) => (outcome.outcome === 'error' ? outcome.code : outcome.text))).toEqual([
      'missing',
      'trap',
      'missing',
      'guest_error',
      'pong',
    ]);
  });

  it('stops a guest hoarding vars under new keys at maxVarBytes, keys counted', async () => {
    const outcomes = await inChild({ calls: ['hoard_forever', 'ping'], resourceLimits: SMALL_HEAP });
    expect(outcomes).toEqual([
      {
        outcome: 'error',
        code: 'out_of_memory',
        limit: 'maxVarBytes',
        // 255 vars of 4 KiB + 1 byte fit in 1 MiB; the 256th would make 1 048 832 bytes.
        message:
          'plugin acme.hostile@0.1.0 (hoard_forever) ran out of var memory (maxVarBytes 1048576 bytes): var_set: var memory limit exceeded: 1048832 bytes requested (keys and values), 1048576 allowed',
      },
      pong,
    ]);
  });
});
