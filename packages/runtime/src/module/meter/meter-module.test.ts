import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wat } from '../../__fixtures__/wat.js';
import { FUEL_COUNTER_EXPORT, FUEL_NAMESPACE, FUEL_REFILL_IMPORT } from './fuel-abi.js';
import { meterModule } from './meter-module.js';

// The guest corpus lives in @plinth/testkit, which the runtime may not import: read it by path.
const corpus = new URL('../../../../guests/corpus/', import.meta.url);
const corpusGuests = (
  JSON.parse(readFileSync(new URL('guests.json', corpus), 'utf8')) as { name: string; path: string }[]
).map(({ name, path }) => ({ name, bytes: new Uint8Array(readFileSync(new URL(path, corpus))) }));

function metered(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const result = meterModule(bytes);
  if (!result.ok) throw new Error(result.problem.message);
  return result.bytes;
}

/**
 * Instantiates a metered module with a host that grants fuel without limit, and measures what each call
 * uses the way the lanes do: zero the counter, call, then granted minus what is left.
 */
async function meteredInstance(bytes: Uint8Array, imports: WebAssembly.Imports = {}) {
  let granted = 0;
  const { instance } = await WebAssembly.instantiate(metered(bytes), {
    ...imports,
    [FUEL_NAMESPACE]: {
      [FUEL_REFILL_IMPORT]: (current: bigint) => {
        granted += 1_000_000 - Number(current);
        return 1_000_000n;
      },
    },
  });
  const counter = instance.exports[FUEL_COUNTER_EXPORT] as WebAssembly.Global;
  const loadFuel = granted - Number(counter.value as bigint);
  const call = (name: string, ...args: unknown[]) => {
    granted = 0;
    counter.value = 0n;
    const result = (instance.exports[name] as (...a: unknown[]) => unknown)(...args);
    return { result, fuel: granted - Number(counter.value as bigint) };
  };
  return { instance, call, loadFuel };
}

describe('meterModule', () => {
  it('meters every module of the guest corpus into one the engine accepts', () => {
    expect(corpusGuests.length).toBeGreaterThan(30);
    for (const guest of corpusGuests) {
      const result = meterModule(guest.bytes);
      expect(result.ok, guest.name).toBe(true);
      if (!result.ok) continue;
      expect(WebAssembly.validate(result.bytes), guest.name).toBe(true);
      expect(result.stats.chargePoints, guest.name).toBeGreaterThan(0);
      // The module keeps its own imports and exports, and gains the refill import and the counter.
      const before = new WebAssembly.Module(guest.bytes);
      const after = new WebAssembly.Module(result.bytes);
      expect(WebAssembly.Module.imports(after)).toEqual([
        ...WebAssembly.Module.imports(before),
        { module: FUEL_NAMESPACE, name: FUEL_REFILL_IMPORT, kind: 'function' },
      ]);
      expect(WebAssembly.Module.exports(after)).toEqual([
        ...WebAssembly.Module.exports(before),
        { name: FUEL_COUNTER_EXPORT, kind: 'global' },
      ]);
    }
  });

  it('charges each straight-line stretch once per run: a loop costs its body per iteration', async () => {
    const { call } = await meteredInstance(
      await wat(`(module
        (func (export "count") (param $n i32) (result i32)
          (local $sum i32)
          (block $done
            (loop $next
              (br_if $done (i32.eqz (local.get $n)))
              (local.set $sum (i32.add (local.get $sum) (local.get $n)))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br $next)))
          (local.get $sum)))`),
    );
    const runs = [0, 1, 10, 1000].map((n) => call('count', n));
    expect(runs.map((run) => run.result)).toEqual([0, 1, 55, 500500]);
    // The loop body (local.get, i32.eqz, br_if, 2 × (local.get, local.get, op, local.set) with a const,
    // br) is 12 instructions; the exit path is the same prefix plus what follows the block.
    const slope = (runs[3]!.fuel - runs[2]!.fuel) / 990;
    expect(slope).toBe(12);
    expect(runs[1]!.fuel - runs[0]!.fuel).toBe(12);
    // Same module, same input, same fuel.
    expect(call('count', 1000).fuel).toBe(runs[3]!.fuel);
  });

  it('charges bulk memory operations and memory.grow by their size', async () => {
    const { call } = await meteredInstance(
      await wat(`(module
        (memory 1 100)
        (func (export "fill") (param $n i32)
          (memory.fill (i32.const 0) (i32.const 7) (local.get $n)))
        (func (export "grow") (param $pages i32) (result i32)
          (memory.grow (local.get $pages))))`),
    );
    const small = call('fill', 0).fuel;
    expect(call('fill', 64 * 1024).fuel - small).toBe((64 * 1024) / 32);
    const none = call('grow', 0);
    const three = call('grow', 3);
    expect(three.result).toBe(1);
    expect(three.fuel - none.fuel).toBe(3 * 2048);
  });

  it('keeps calls, tables, element segments, ref.func, the start function and names working', async () => {
    const source = await wat(
      `(module
      (import "env" "seed" (func $seed (result i32)))
      (type $unary (func (param i32) (result i32)))
      (table 3 funcref)
      (elem (i32.const 0) $double $triple)
      (elem declare func $square)
      (global $started (mut i32) (i32.const 0))
      (global $fn funcref (ref.func $square))
      (start $init)
      (func $init (global.set $started (call $seed)))
      (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
      (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
      (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
      (func (export "apply") (param $which i32) (param $x i32) (result i32)
        (call_indirect (type $unary) (local.get $x) (local.get $which)))
      (func (export "square_via_ref") (param $x i32) (result i32)
        (table.set (i32.const 2) (global.get $fn))
        (call_indirect (type $unary) (local.get $x) (i32.const 2)))
      (func (export "started") (result i32) (global.get $started))
      (func $explode (export "explode") unreachable))`,
      { reference_types: true, bulk_memory: true },
      { debugNames: true },
    );
    const imports = { env: { seed: () => 41 } };
    const plain = (await WebAssembly.instantiate(source, imports)).instance.exports as Record<
      string,
      (...a: number[]) => number
    >;
    const { call, loadFuel } = await meteredInstance(source, imports);
    for (const [name, args] of [
      ['apply', [0, 21]],
      ['apply', [1, 5]],
      ['square_via_ref', [9]],
      ['started', []],
    ] as const) {
      expect(call(name, ...args).result, name).toBe(plain[name]!(...args));
    }
    expect(loadFuel).toBeGreaterThan(0); // the start function ran metered
    // The name section still names the right function after every index moved up by one.
    expect(() => call('explode')).toThrow(WebAssembly.RuntimeError);
    const stack = (() => {
      try {
        call('explode');
      } catch (error) {
        return String((error as Error).stack);
      }
      return '';
    })();
    expect(stack).toMatch(/explode/);
  });

  it('runs SIMD, bulk memory, sign extension and saturating truncation unchanged', async () => {
    const source = await wat(
      `(module
        (memory 1 1)
        (func (export "mix") (param $x i32) (result i32)
          (memory.copy (i32.const 16) (i32.const 0) (i32.const 8))
          (i32.add
            (i32.extend8_s (local.get $x))
            (i32.add
              (i32.trunc_sat_f32_s (f32.const 1e20))
              (i32x4.extract_lane 2 (i32x4.splat (local.get $x)))))))`,
      { simd: true, bulk_memory: true, sat_float_to_int: true, sign_extension: true },
    );
    const plain = (await WebAssembly.instantiate(source)).instance.exports.mix as (x: number) => number;
    const { call } = await meteredInstance(source);
    for (const x of [0, 1, 200, -5]) expect(call('mix', x).result).toBe(plain(x));
  });

  it('refuses what it cannot meter, with the reason and the offset', async () => {
    const refusal = (bytes: Uint8Array) => {
      const result = meterModule(bytes);
      if (result.ok) throw new Error('expected a refusal');
      return result.problem;
    };
    const reserved = await wat(`(module (import "plinth:fuel" "refill" (func (param i64) (result i64))))`);
    expect(refusal(reserved)).toMatchObject({
      code: 'invalid_module',
      reason: 'metering_unsupported',
      message: expect.stringContaining('"plinth:fuel", a namespace reserved for the host'),
    });
    const exported = await wat(`(module (global (export "plinth:fuel") i32 (i32.const 0)))`);
    expect(refusal(exported).message).toContain('exports "plinth:fuel", a name reserved for the host');
    const memory64 = await wat(`(module (memory i64 1))`, { memory64: true });
    expect(refusal(memory64).message).toContain('64-bit');
    // A GC struct type (form 0x5f) in the type section.
    const gc = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 0x5f, 0x01, 0x7f]);
    expect(refusal(gc).message).toContain('not a plain function type');
    // A body with an opcode no proposal defines (0xd7), at a known offset.
    const body = [0x00, 0xd7, 0x0b];
    const unknown = Uint8Array.from([
      0,
      97,
      115,
      109,
      1,
      0,
      0,
      0,
      1,
      4,
      1,
      0x60,
      0,
      0,
      3,
      2,
      1,
      0,
      10,
      body.length + 2,
      1,
      body.length,
      ...body,
    ]);
    const problem = refusal(unknown);
    expect(problem.message).toContain('unknown opcode 0xd7');
    expect(unknown[problem.offset]).toBe(0xd7);
  });

  it('grows modules by a bounded fraction and keeps sections in order', () => {
    for (const guest of corpusGuests.filter((g) => g.bytes.length > 4000)) {
      const result = meterModule(guest.bytes);
      if (!result.ok) throw new Error(result.problem.message);
      expect(result.bytes.length / guest.bytes.length, guest.name).toBeLessThan(2);
    }
  });
});
