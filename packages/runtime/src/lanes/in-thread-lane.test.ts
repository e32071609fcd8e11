import { describe, expect, it } from 'vitest';
import { wat } from '../__fixtures__/wat.js';
import { resolveLimits } from '../limits.js';
import { createInThreadLane } from './in-thread-lane.js';

/** A guest that overwrites the first byte of its input block, then echoes the input. */
const scribbler = () =>
  wat(`(module
    (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
    (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
    (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
    (import "extism:host/env" "input_length" (func $input_length (result i64)))
    (memory (export "memory") 1 1)
    (func (export "scribble") (result i32)
      (call $store_u8 (call $input_offset) (i32.const 0x58))
      (call $output_set (call $input_offset) (call $input_length))
      (i32.const 0)))`);

describe('in-thread lane', () => {
  it('gives the guest a copy of a Uint8Array input, so a guest writing to its input block changes nothing', async () => {
    const lane = await createInThreadLane({
      module: new WebAssembly.Module(await scribbler()),
      bundle: {},
      limits: resolveLimits(),
    });
    const input = new TextEncoder().encode('hello');
    const context = { pluginId: 'acme.scribbler', exportName: 'scribble' };
    const first = await lane.call('scribble', input, context);
    expect(new TextDecoder().decode(first.output ?? new Uint8Array())).toBe('Xello');
    expect(new TextDecoder().decode(input)).toBe('hello');
    const second = await lane.call('scribble', input, context);
    expect(new TextDecoder().decode(second.output ?? new Uint8Array())).toBe('Xello');
    await lane.close();
  });
});
