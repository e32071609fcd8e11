import { expect, it } from 'vitest';
import { checkModuleSize } from './check-module-size.js';

it('accepts a module at the limit', () => {
  expect(checkModuleSize(new Uint8Array(100), 100)).toEqual({ ok: true, size: 100 });
});

it('refuses a module over the limit, naming both sizes', () => {
  expect(checkModuleSize(new Uint8Array(101), 100)).toEqual({
    ok: false,
    size: 101,
    problem: {
      code: 'module_too_large',
      message: 'The module is 101 bytes, over the limit of 100 bytes',
      size: 101,
      limit: 100,
    },
  });
  const big = checkModuleSize(new Uint8Array(3 * 1024 * 1024), 2 * 1024 * 1024);
  expect(!big.ok && big.problem.message).toBe(
    'The module is 3.0 MiB (3145728 bytes), over the limit of 2.0 MiB (2097152 bytes)',
  );
});

it('rejects a negative or NaN limit as a programming error', () => {
  expect(() => checkModuleSize(new Uint8Array(1), -1)).toThrow(RangeError);
  expect(() => checkModuleSize(new Uint8Array(1), Number.NaN)).toThrow(RangeError);
});
