/** What `readCappedBody` read: the whole body, or how far it got before the cap stopped it. */
export type CappedBody =
  | { readonly ok: true; readonly bytes: Uint8Array }
  /** `exact`: `size` is the declared Content-Length; otherwise the bytes read when reading stopped. */
  | { readonly ok: false; readonly size: number; readonly exact: boolean };

/**
 * A fetch `Response`'s body, read no further than `maxBytes`: an honest Content-Length over the cap refuses
 * it before anything is read, and a dishonest or absent one is counted while streaming, the stream being
 * cancelled as soon as the count passes the cap. For HTTP transports and module downloads on fetch, so a
 * server cannot make the host hold more than the limit. A failing stream rejects, as `fetch` does.
 */
export async function readCappedBody(response: Response, maxBytes: number): Promise<CappedBody> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, size: declared, exact: true };
  }
  if (response.body === null) return { ok: true, bytes: new Uint8Array() };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, size: total, exact: false };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return { ok: true, bytes };
}
