import { describe, expect, it } from 'vitest';
import {
  createManualClock,
  createMemoryBasics,
  createMemoryEventBus,
  createMemoryLogSink,
  createStaticRuntimeContext,
} from './basics.js';

const context = { pluginId: 'twin.user', exportName: 'handle_command' };

describe('basics twins', () => {
  it('the manual clock moves only when told to', () => {
    const clock = createManualClock(1_000, 60);
    clock.advance(500);
    expect([clock.now(), clock.timeZoneOffsetMinutes(0)]).toEqual([1_500, 60]);
    clock.set(10);
    clock.setOffset(-300);
    expect([clock.now(), clock.timeZoneOffsetMinutes(0)]).toEqual([10, -300]);
  });

  it('the log sink and event bus record what they receive', () => {
    const log = createMemoryLogSink();
    log.sink({ pluginId: 'a.b', level: 'warn', message: 'w' });
    log.sink({ pluginId: 'a.b', level: 'info', message: 'i' });
    expect([log.messages(), log.messages('warn')]).toEqual([['w', 'i'], ['w']]);
    log.clear();
    expect(log.entries).toEqual([]);
    const bus = createMemoryEventBus();
    bus.emit({ pluginId: 'a.b', payload: 1 });
    bus.emit({ pluginId: 'c.d', payload: 2 });
    expect(bus.payloadsOf('a.b')).toEqual([1]);
  });

  it('the static runtime context answers per plugin and records its calls', () => {
    const provided = createStaticRuntimeContext({ shared: true }, { 'twin.user': { mine: 1 } });
    const basics = createMemoryBasics({ runtimeContext: provided.provider });
    expect(basics.bundle.host_get_runtime_context!({}, context)).toBe('{"mine":1}');
    expect(basics.bundle.host_get_runtime_context!({}, { ...context, pluginId: 'x.y' })).toBe(
      '{"shared":true}',
    );
    expect(provided.calls.map((call) => call.pluginId)).toEqual(['twin.user', 'x.y']);
  });

  it('createMemoryBasics wires the clock into time and the rate limiters', () => {
    const basics = createMemoryBasics({ clock: createManualClock(0, 0), logRatePerSecond: 1 });
    expect(basics.bundle.host_get_timestamp!({}, context)).toBe('0');
    expect(basics.bundle.host_log!({ level: 'info', message: 'a' }, context)).toBe('');
    expect(basics.bundle.host_log!({ level: 'info', message: 'b' }, context)).toEqual({
      failure: 'rate limit exceeded: at most 1 message per second; message dropped',
    });
    basics.clock.advance(1_000);
    expect(basics.bundle.host_log!({ level: 'info', message: 'c' }, context)).toBe('');
    expect(basics.log.messages()).toEqual([
      'a',
      '1 log message dropped by the rate limit of 1 per second',
      'c',
    ]);
  });
});
