import type { Policy } from '@plinth/protocol';
import { describe, expect, it, vi } from 'vitest';
import { protocolExamplePolicy } from '../__fixtures__/policies.js';
import { createMemoryAuditSink } from '../audit.js';
import { CompiledPolicy } from '../compiled-policy.js';
import { addGrant, type PermissionGrant } from '../grant.js';
import { PolicyStore } from '../policy-source.js';
import { createAskChecker, type AskAnswer, type AskPrompt } from './ask-checker.js';
import { createPolicyChecker } from './policy-checker.js';

const id = 'acme.word-count';
const setup = (
  answer: AskAnswer | (() => Promise<AskAnswer>),
  persist?: (grant: PermissionGrant) => void,
) => {
  const store = new PolicyStore(protocolExamplePolicy);
  const asked: AskPrompt[] = [];
  const audit = createMemoryAuditSink();
  const checker = createAskChecker({
    base: createPolicyChecker({ policy: store }),
    ask: (prompt) => {
      asked.push(prompt);
      return typeof answer === 'function' ? answer() : answer;
    },
    ...(persist === undefined ? {} : { persist }),
    audit,
  });
  return { store, asked, audit, checker };
};

describe('ask checker', () => {
  it('answers from the policy without asking when the policy decides', async () => {
    const { checker, asked } = setup('allow_once');
    expect(
      await checker.checkAsync({ pluginId: id, type: 'read_files', target: 'Daily/a.md' }),
    ).toMatchObject({ allowed: true });
    expect(
      await checker.checkAsync({ pluginId: id, type: 'read_files', target: 'Daily/private/a.md' }),
    ).toMatchObject({
      outcome: 'denied',
    });
    expect(await checker.checkAsync({ pluginId: id, type: 'read_files', target: '../x' })).toMatchObject({
      reason: 'invalid_target',
    });
    expect(asked).toHaveLength(0);
  });

  it('allow_once allows this call only', async () => {
    const { checker, asked, audit } = setup('allow_once');
    const request = { pluginId: id, type: 'edit_files', target: 'notes/a.md' } as const;
    expect(await checker.checkAsync(request)).toMatchObject({
      allowed: true,
      reason: 'ask_allow_once',
      message: '',
    });
    expect(await checker.checkAsync(request)).toMatchObject({ allowed: true, reason: 'ask_allow_once' });
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatchObject({
      pluginId: id,
      permission: 'edit_files',
      target: 'notes/a.md',
      normalizedTarget: 'notes/a.md',
      grant: { pluginId: id, permission: 'edit_files', scope: 'notes/a.md' },
      decision: { outcome: 'not_configured' },
    });
    expect(checker.check(request)).toMatchObject({ outcome: 'not_configured' });
    expect(audit.decisions.map((d) => d.reason)).toEqual(['ask_allow_once', 'ask_allow_once', 'no_rule']);
  });

  it('allow_always grants for the session (as a policy include would) and persists the grant', async () => {
    const persisted: PermissionGrant[] = [];
    const { checker, asked, store } = setup('allow_always', (grant) => {
      persisted.push(grant);
      store.set(addGrant(store.current().policy, grant));
    });
    const decision = await checker.checkAsync({
      pluginId: id,
      type: 'http_requests',
      target: 'https://api.other.org/x',
    });
    expect(decision).toMatchObject({
      allowed: true,
      reason: 'ask_allow_always',
      rule: { kind: 'include', scope: 'api.other.org' },
    });
    expect(
      checker.check({ pluginId: id, type: 'http_requests', target: 'https://eu.api.other.org/' }),
    ).toMatchObject({
      allowed: true,
    });
    expect(asked).toHaveLength(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(persisted).toEqual([{ pluginId: id, permission: 'http_requests', scope: 'api.other.org' }]);
    expect(store.current().policy.plugins[id]?.permissions.http_requests?.include).toEqual([
      'api.example.com',
      'api.other.org',
    ]);
    expect(checker.sessionGrants).toEqual(persisted);
  });

  it('session grants use policy semantics before the policy is persisted', async () => {
    const { checker } = setup('allow_always');
    await checker.checkAsync({ pluginId: id, type: 'edit_files', target: 'notes/a.md' });
    expect(checker.check({ pluginId: id, type: 'edit_files', target: 'notes/b.md' })).toMatchObject({
      allowed: true,
      reason: 'session_allow',
      rule: { kind: 'include', scope: 'notes/a.md' },
    });
    checker.resetSession();
    expect(checker.check({ pluginId: id, type: 'edit_files', target: 'notes/b.md' }).outcome).toBe(
      'not_configured',
    );
  });

  it('deny is cached for the session, for that target only', async () => {
    const { checker, asked } = setup('deny');
    const request = { pluginId: id, type: 'edit_files', target: 'notes/a.md' } as const;
    expect(await checker.checkAsync(request)).toMatchObject({
      allowed: false,
      outcome: 'denied',
      reason: 'ask_deny',
      message: `Permission denied for plugin '${id}': edit_files on 'notes/a.md'`,
    });
    expect(await checker.checkAsync({ ...request, target: './notes/a.md' })).toMatchObject({
      reason: 'session_deny',
    });
    expect(checker.check(request)).toMatchObject({ reason: 'session_deny' });
    expect(asked).toHaveLength(1);
    await checker.checkAsync({ ...request, target: 'notes/b.md' });
    expect(asked).toHaveLength(2);
  });

  it('a failing callback denies this call and is asked again next time', async () => {
    const { checker, asked } = setup(() => Promise.reject(new Error('window closed')));
    const request = { pluginId: id, type: 'edit_files', target: 'a.md' } as const;
    expect(await checker.checkAsync(request)).toMatchObject({
      allowed: false,
      outcome: 'denied',
      reason: 'ask_failed',
    });
    expect(await checker.checkAsync(request)).toMatchObject({ reason: 'ask_failed' });
    expect(asked).toHaveLength(2);
  });

  it('concurrent checks of one target share one question', async () => {
    let release: (answer: AskAnswer) => void = () => {};
    const { checker, asked } = setup(() => new Promise<AskAnswer>((resolve) => (release = resolve)));
    const request = { pluginId: id, type: 'edit_files', target: 'a.md' } as const;
    const both = Promise.all([checker.checkAsync(request), checker.checkAsync(request)]);
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    release('allow_once');
    expect((await both).map((d) => d.allowed)).toEqual([true, true]);
    expect(asked).toHaveLength(1);
  });

  it('grants storage and the workspace root as `all`', async () => {
    const policy: Policy = {
      plugins: { [id]: { permissions: { plugin_storage: { include: [], exclude: [] } } } },
    };
    const asked: AskPrompt[] = [];
    const checker = createAskChecker({
      base: createPolicyChecker({ policy }),
      ask: (prompt) => {
        asked.push(prompt);
        return 'allow_always';
      },
    });
    await checker.checkAsync({ pluginId: id, type: 'plugin_storage', target: 'k1' });
    await checker.checkAsync({ pluginId: id, type: 'read_files', target: '' });
    expect(asked.map((p) => p.grant.scope)).toEqual(['all', 'all']);
    expect(checker.check({ pluginId: id, type: 'plugin_storage', target: 'k2' }).allowed).toBe(true);
    expect(checker.check({ pluginId: id, type: 'read_files', target: 'x/y.md' }).allowed).toBe(true);
  });

  it('reports a failing persist without withdrawing the session grant', async () => {
    const onPersistError = vi.fn();
    const checker = createAskChecker({
      base: createPolicyChecker({ policy: CompiledPolicy.compile({ plugins: {} }) }),
      ask: () => 'allow_always',
      persist: () => Promise.reject(new Error('read-only')),
      onPersistError,
    });
    expect((await checker.checkAsync({ pluginId: id, type: 'edit_files', target: 'a.md' })).allowed).toBe(
      true,
    );
    await vi.waitFor(() => expect(onPersistError).toHaveBeenCalledOnce());
    expect(checker.check({ pluginId: id, type: 'edit_files', target: 'a.md' }).allowed).toBe(true);
  });
});
