import { describe, expect, it } from 'vitest';
import { createMemoryAuditSink } from '../audit.js';
import { createAllowAllChecker } from './allow-all.js';
import { createAskChecker } from './ask-checker.js';
import { firstDecisive, requireAll } from './compose.js';
import { createDenyAllChecker } from './deny-all.js';
import { createPolicyChecker } from './policy-checker.js';

const trusted = createPolicyChecker({
  policy: { plugins: { 'host.builtin': { permissions: { read_files: { include: ['all'] } } } } },
});
const user = createPolicyChecker({
  policy: {
    plugins: {
      'acme.x': { permissions: { read_files: { include: ['Daily'], exclude: ['Daily/private'] } } },
      'host.builtin': { permissions: { read_files: { exclude: ['all'] } } },
    },
  },
});
const ceiling = createPolicyChecker({
  policy: { plugins: { 'acme.x': { permissions: { read_files: { include: ['Daily/public'] } } } } },
});

describe('firstDecisive', () => {
  it('takes the first allowed or denied decision, else the last one', () => {
    const audit = createMemoryAuditSink();
    const chain = firstDecisive([trusted, user], { audit });
    expect(chain.check({ pluginId: 'host.builtin', type: 'read_files', target: 'a.md' }).allowed).toBe(true);
    expect(chain.check({ pluginId: 'acme.x', type: 'read_files', target: 'Daily/a.md' }).allowed).toBe(true);
    expect(chain.check({ pluginId: 'acme.x', type: 'read_files', target: 'other.md' })).toMatchObject({
      outcome: 'not_configured',
      reason: 'no_matching_scope',
    });
    expect(audit.decisions).toHaveLength(3);
  });

  it('works asynchronously and with an ask checker last', async () => {
    const chain = firstDecisive([trusted, createAskChecker({ base: user, ask: () => 'deny' })]);
    expect(await chain.checkAsync({ pluginId: 'acme.x', type: 'read_files', target: 'x.md' })).toMatchObject({
      reason: 'ask_deny',
    });
  });

  it('needs at least one checker', () => {
    expect(() => firstDecisive([])).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message:
          'firstDecisive: option `checkers` must be a non-empty array of PermissionCheckers (got an array of 0)',
      }),
    );
  });
});

describe('requireAll', () => {
  it('allows only what every checker allows', async () => {
    const capped = requireAll([user, ceiling]);
    expect(
      capped.check({ pluginId: 'acme.x', type: 'read_files', target: 'Daily/public/a.md' }).allowed,
    ).toBe(true);
    expect(capped.check({ pluginId: 'acme.x', type: 'read_files', target: 'Daily/a.md' })).toMatchObject({
      outcome: 'not_configured',
    });
    expect(
      await capped.checkAsync({ pluginId: 'acme.x', type: 'read_files', target: 'Daily/private/a.md' }),
    ).toMatchObject({
      outcome: 'denied',
      reason: 'matched_exclude',
    });
    expect(
      requireAll([createAllowAllChecker(), createDenyAllChecker()]).check({
        pluginId: 'a.b',
        type: 'read_files',
        target: 'a',
      }),
    ).toMatchObject({
      reason: 'deny_all',
    });
  });

  it('stops at a denial, so a later ask checker does not prompt', async () => {
    let asked = 0;
    const capped = requireAll([
      createDenyAllChecker(),
      createAskChecker({
        base: user,
        ask: () => {
          asked += 1;
          return 'allow_once';
        },
      }),
    ]);
    expect(
      (await capped.checkAsync({ pluginId: 'acme.x', type: 'read_files', target: 'x.md' })).allowed,
    ).toBe(false);
    expect(asked).toBe(0);
  });
});
