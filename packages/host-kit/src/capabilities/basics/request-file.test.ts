import { describe, expect, it } from 'vitest';
import type { HostCallContext } from '../../bundle/host-bundle.js';
import { createCancellationBundle, CancellationRegistry } from './cancellation.js';
import { createRequestFileBundle, RequestFileScope } from './request-file.js';

const context: HostCallContext = { pluginId: 'acme.convert', exportName: 'handle_command' };
const other: HostCallContext = { pluginId: 'other.plugin', exportName: 'handle_command' };
const bytes = (text: string) => new TextEncoder().encode(text);

describe('RequestFileScope', () => {
  it('shows files to the scoped plugin only while the call runs, innermost scope winning', async () => {
    const scope = new RequestFileScope();
    const bundle = createRequestFileBundle({ files: scope.lookup });
    const read = (key: string, ctx = context) =>
      new TextDecoder().decode(bundle.host_request_file!({ key }, ctx) as Uint8Array);
    const seen = await scope.run('acme.convert', { input: bytes('outer'), a: bytes('A') }, async () => {
      const inner = scope.run('acme.convert', new Map([['input', bytes('inner')]]), () => [
        read('input'),
        read('a'),
      ]);
      await Promise.resolve();
      return [...inner, read('input'), read('input', other), read('missing')];
    });
    expect(seen).toEqual(['inner', 'A', 'outer', '', '']);
    expect(read('input')).toBe('');
  });
  it("answers a call's own files before the scope's, and only its own", () => {
    const scope = new RequestFileScope();
    const bundle = createRequestFileBundle({ files: scope.lookup });
    const read = (ctx: HostCallContext) =>
      new TextDecoder().decode(bundle.host_request_file!({ key: 'input' }, ctx) as Uint8Array);
    const first = { ...context, requestFiles: new Map([['input', bytes('first')]]) };
    const second = { ...context, requestFiles: new Map([['input', bytes('second')]]) };
    const seen = scope.run('acme.convert', { input: bytes('scoped') }, () => [
      read(first),
      read(second),
      read(context),
      read({ ...context, requestFiles: new Map() }),
    ]);
    expect(seen).toEqual(['first', 'second', 'scoped', '']);
    expect(read(first)).toBe('first');
    expect(
      new TextDecoder().decode(
        createRequestFileBundle().host_request_file!({ key: 'input' }, second) as Uint8Array,
      ),
    ).toBe('second');
  });
  it('releases the files when the call throws', () => {
    const scope = new RequestFileScope();
    expect(() =>
      scope.run('acme.convert', { input: bytes('x') }, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(scope.lookup(context)).toBeUndefined();
  });
});

describe('CancellationRegistry', () => {
  it('answers per token and per plugin, follows abort signals, and forgets released tokens', () => {
    const registry = new CancellationRegistry();
    const bundle = createCancellationBundle({ isCancelled: registry.isCancelled });
    const ask = (token: string, ctx = context) => bundle.host_is_cancelled!({ token }, ctx);
    const open = registry.create();
    const mine = registry.create({ pluginId: 'acme.convert' });
    const controller = new AbortController();
    const signalled = registry.create({ signal: controller.signal });
    expect([ask(open), ask(mine), ask(signalled), ask('unknown')]).toEqual(
      Array(4).fill('{"cancelled":false}'),
    );
    expect(registry.cancel(open)).toBe(true);
    expect(registry.cancel(mine)).toBe(true);
    controller.abort();
    expect([ask(open), ask(mine), ask(mine, other), ask(signalled)]).toEqual([
      '{"cancelled":true}',
      '{"cancelled":true}',
      '{"cancelled":false}',
      '{"cancelled":true}',
    ]);
    registry.release(open);
    expect(ask(open)).toBe('{"cancelled":false}');
    expect(registry.cancel(open)).toBe(false);
    expect(registry.size).toBe(2);
  });
});
