import type { PlinthError } from '@plinth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lane } from '../lanes/lane.js';
import { resolveLimits } from '../limits.js';
import { kernelGuest, LONG_CONFIG_KEY } from './__fixtures__/kernel-guests.js';
import { createIsolatedLane } from './isolated-lane.js';
import { ERROR_MAX_BYTES, truncatedText } from '../worker/kernel-guards.js';

/** The guarded kernel functions keep rc13's answers for ordinary keys and messages. */

const bytes = (text: string) => new TextEncoder().encode(text);
const context = (exportName: string) => ({ pluginId: 'acme.guards', pluginVersion: '0.1.0', exportName });
let lane: Lane;

beforeAll(async () => {
  lane = await createIsolatedLane({
    module: new WebAssembly.Module(await kernelGuest({ hoardVars: 3, hoardKeyBytes: 16 })),
    bundle: {},
    limits: resolveLimits({ timeoutMs: 60_000 }),
    config: { greeting: 'hello', [LONG_CONFIG_KEY]: 'a host may use a long key' },
  });
}, 30_000);
afterAll(() => lane.close());

const call = async (exportName: string) => {
  const { output } = await lane.call(exportName, '', context(exportName));
  return output ? new TextDecoder().decode(output) : null;
};

describe('guarded kernel functions on the isolated lane', { timeout: 30_000 }, () => {
  it('answers a configured key with its value', async () => {
    expect(await call('config_greeting')).toBe('hello');
  });

  it('sets and reads back a var', async () => {
    expect(await call('var_round_trip')).toBe('pong');
  });

  it('passes a short error_set message through unchanged', async () => {
    const error = await lane.call('short_error', '', context('short_error')).catch((e: PlinthError) => e);
    expect(error).toMatchObject({
      code: 'guest_error',
      message: 'plugin acme.guards@0.1.0 (short_error) failed: greeting',
    });
  });

  it('frees the key blocks of config_get and var_get, as rc13 does, so they leave the block budget', async () => {
    expect(await call('lookups_free_keys')).toBe('pong');
  });

  it('still answers a configured key longer than the 4 KiB guest key limit', async () => {
    expect(await call('config_long_key')).toBe('a host may use a long key');
  });
});

describe('host function inputs on the isolated lane', { timeout: 30_000 }, () => {
  it('leaves a large input block usable by the guest after the host function', async () => {
    expect(await call('reuse_host_input')).toBe('pong');
  });
});

describe('truncatedText', () => {
  it('leaves text within the limit alone', () => {
    expect(truncatedText(bytes('héllo'), 6)).toBe('héllo');
  });

  it('cuts at a character boundary and says how long the text was', () => {
    // "é" is two bytes: a cut after 2 bytes would split it, so the cut falls before it.
    expect(truncatedText(bytes('héllo'), 2)).toBe('h… [truncated: 6 bytes]');
    expect(truncatedText(bytes('héllo'), 3)).toBe('hé… [truncated: 6 bytes]');
  });

  it('limits error_set messages to 64 KiB', () => {
    expect(ERROR_MAX_BYTES).toBe(65_536);
  });
});
