import { describe, expect, it } from 'vitest';
import type { HostCallContext } from '../../bundle/host-bundle.js';
import { createLogBundle, toLogLevel, type GuestLogEntry } from './log.js';
import { RateLimiter } from './rate-limiter.js';
import { sanitizeLogText } from './sanitize.js';

const context: HostCallContext = {
  pluginId: 'acme.logger',
  pluginVersion: '1.0.0',
  exportName: 'handle_command',
};

function setup(ratePerSecond = 2) {
  let now = 1_000;
  const entries: GuestLogEntry[] = [];
  const bundle = createLogBundle({ sink: (entry) => entries.push(entry), ratePerSecond, now: () => now });
  const log = (message: string, level = 'info', ctx = context) => bundle.host_log!({ level, message }, ctx);
  return { entries, log, advance: (ms: number) => (now += ms) };
}

describe('sanitizeLogText', () => {
  it('escapes newlines, ANSI escapes, DEL, line separators and bidi overrides', () => {
    expect(sanitizeLogText('a\nINFO forged\r\tb\u001b[31m\u007f\u2028\u202e')).toBe(
      'a\\nINFO forged\\r\\tb\\u001b[31m\\u007f\\u2028\\u202e',
    );
  });
  it('cuts long text without splitting a surrogate pair', () => {
    expect(sanitizeLogText('abcdef', 3)).toBe('abc… (3 more characters cut)');
    expect(sanitizeLogText('a😀b', 2)).toBe('a… (3 more characters cut)');
  });
});

describe('createLogBundle', () => {
  it('logs the five levels as given and anything else as trace', () => {
    expect(['error', 'warn', 'info', 'debug', 'trace', 'WARN', 'fatal', ''].map(toLogLevel)).toEqual([
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'trace',
      'trace',
      'trace',
    ]);
  });

  it('hands the sink the plugin, version, level and sanitized message', () => {
    const { entries, log } = setup();
    expect(log('line\nfake', 'error')).toBe('');
    expect(entries).toEqual([
      { pluginId: 'acme.logger', pluginVersion: '1.0.0', level: 'error', message: 'line\\nfake' },
    ]);
  });

  it('refuses messages over the rate limit and reports the drops once the limit frees', () => {
    const { entries, log, advance } = setup(2);
    expect([log('1'), log('2'), log('3'), log('4')]).toEqual([
      '',
      '',
      { failure: 'rate limit exceeded: at most 2 messages per second; message dropped' },
      { failure: 'rate limit exceeded: at most 2 messages per second; message dropped' },
    ]);
    advance(500);
    expect(log('5')).toBe('');
    expect(entries.map((entry) => [entry.level, entry.message, entry.dropped])).toEqual([
      ['info', '1', undefined],
      ['info', '2', undefined],
      ['warn', '2 log messages dropped by the rate limit of 2 per second', 2],
      ['info', '5', undefined],
    ]);
  });

  it('limits each plugin on its own', () => {
    const { log } = setup(1);
    expect(log('a')).toBe('');
    expect(log('b')).not.toBe('');
    expect(log('c', 'info', { pluginId: 'other.plugin', exportName: 'x' })).toBe('');
  });
});

describe('RateLimiter', () => {
  it('refuses a rate that is not a positive number', () => {
    expect(() => new RateLimiter({ ratePerSecond: 0 })).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message: 'RateLimiter: option `ratePerSecond` must be a positive number (got 0)',
      }),
    );
  });
  it('allows one take per period for rates below one per second', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 0.5, now: () => now });
    expect([limiter.take('k').allowed, limiter.take('k').allowed]).toEqual([true, false]);
    now = 1_999;
    expect(limiter.take('k').allowed).toBe(false);
    now = 4_000;
    expect(limiter.take('k')).toEqual({ allowed: true, droppedBefore: 2 });
  });
  it('does not mint tokens when the clock steps back', () => {
    let now = 10_000;
    const limiter = new RateLimiter({ ratePerSecond: 1, now: () => now });
    expect(limiter.take('k').allowed).toBe(true);
    now = 0;
    expect(limiter.take('k').allowed).toBe(false);
    expect(limiter.pendingDrops('k')).toBe(1);
  });
});
