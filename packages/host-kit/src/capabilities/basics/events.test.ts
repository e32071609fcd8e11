import { describe, expect, it } from 'vitest';
import type { HostCallContext } from '../../bundle/host-bundle.js';
import { createEventsBundle, type EmittedEvent } from './events.js';

const context: HostCallContext = { pluginId: 'acme.events', exportName: 'handle_command' };

describe('createEventsBundle', () => {
  it('emits the payload with the plugin id, rate-limits per plugin and reports drops once', () => {
    let now = 0;
    const emitted: EmittedEvent[] = [];
    const drops: [string, number][] = [];
    const bundle = createEventsBundle({
      emit: (event) => emitted.push(event),
      eventsPerSecond: 2,
      now: () => now,
      onDropped: (pluginId, dropped) => drops.push([pluginId, dropped]),
    });
    const emit = (n: number) => bundle.host_emit_event!({ event_type: 'tick', payload: n }, context);
    expect([emit(1), emit(2), emit(3)]).toEqual([
      '',
      '',
      { failure: 'rate limit exceeded: at most 2 events per second (eventsPerSecond); event dropped' },
    ]);
    now += 1000;
    expect(emit(4)).toBe('');
    expect(emitted.map((event) => event.payload)).toEqual(
      [1, 2, 4].map((n) => ({ event_type: 'tick', payload: n })),
    );
    expect(emitted[0]).toEqual({ pluginId: 'acme.events', payload: { event_type: 'tick', payload: 1 } });
    expect(drops).toEqual([['acme.events', 1]]);
  });

  it('refuses an oversized event without spending a token', () => {
    const emitted: EmittedEvent[] = [];
    const bundle = createEventsBundle({
      emit: (event) => emitted.push(event),
      eventsPerSecond: 1,
      maxPayloadBytes: 10,
      now: () => 0,
    });
    expect(bundle.host_emit_event!('x'.repeat(20), context)).toEqual({
      failure: 'event of 22 bytes is larger than the limit of 10 bytes',
    });
    expect(bundle.host_emit_event!('ok', context)).toBe('');
    expect(emitted).toEqual([{ pluginId: 'acme.events', payload: 'ok' }]);
  });
});
