import { describe, expect, it } from 'vitest';
import { readCappedBody } from './capped-body.js';

/** A response whose body streams `chunks`, and whether the stream was cancelled. */
function streamed(chunks: readonly number[], headers: Record<string, string> = {}) {
  const state = { cancelled: false, pulled: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const size = chunks[state.pulled];
      state.pulled += 1;
      if (size === undefined) controller.close();
      else controller.enqueue(new Uint8Array(size).fill(7));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { response: new Response(body, { headers }), state };
}

describe('readCappedBody', () => {
  it('reads a body within the cap whole', async () => {
    const { response } = streamed([3, 4]);
    expect(await readCappedBody(response, 7)).toEqual({ ok: true, bytes: new Uint8Array(7).fill(7) });
    expect(await readCappedBody(new Response(null), 0)).toEqual({ ok: true, bytes: new Uint8Array() });
  });

  it('refuses an honest Content-Length over the cap before reading anything', async () => {
    const { response, state } = streamed([8], { 'content-length': '8' });
    expect(await readCappedBody(response, 7)).toEqual({ ok: false, size: 8, exact: true });
    expect(state.pulled).toBeLessThanOrEqual(1);
    expect(state.cancelled).toBe(true);
  });

  it('stops a body that passes the cap while streaming, whatever it declared, and cancels it', async () => {
    const { response, state } = streamed([4, 4, 1000, 1000], { 'content-length': '5' });
    expect(await readCappedBody(response, 6)).toEqual({ ok: false, size: 8, exact: false });
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(4);
  });
});
