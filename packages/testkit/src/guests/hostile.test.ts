import { decodeGuestManifest, HOST_FUNCTIONS } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { guestBytes, listGuests } from '@plinth/guests';
import { createDirectPlugin } from './direct-host.js';

const call = (command: string, params: unknown = null) => JSON.stringify({ command, params });

describe('hostile guests, called directly (the behaviours that are safe in-thread)', () => {
  it('traps on unreachable and on stack overflow, and stays callable after', async () => {
    for (const [name, command] of [
      ['hostile-trap-unreachable', 'crash'],
      ['hostile-stack-overflow', 'recurse'],
    ] as const) {
      const { plugin } = await createDirectPlugin(guestBytes(name));
      await expect(plugin.call('handle_command', call(command)), name).rejects.toThrow();
      await plugin.close();
    }
  });

  it('answers invalid JSON, invalid UTF-8 and no output where a response is due', async () => {
    const garbage = await createDirectPlugin(guestBytes('hostile-output-invalid-json'));
    const text = (await garbage.plugin.call('handle_command', call('garbage')))?.text() ?? '';
    expect(() => JSON.parse(text)).toThrow();
    await garbage.plugin.close();

    const utf8 = await createDirectPlugin(guestBytes('hostile-output-invalid-utf8'));
    const bytes = (await utf8.plugin.call('handle_command', call('bad_utf8')))?.bytes();
    expect(bytes?.length).toBeGreaterThan(0);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    await utf8.plugin.close();

    const silent = await createDirectPlugin(guestBytes('hostile-no-output'));
    expect(await silent.plugin.call('handle_command', call('silent'))).toBeNull();
    await silent.plugin.close();
  });

  it('declares the manifests a loader must refuse', async () => {
    const manifestOf = async (name: string) => {
      const { plugin } = await createDirectPlugin(guestBytes(name));
      try {
        return decodeGuestManifest((await plugin.call('manifest', ''))?.text() ?? '');
      } finally {
        await plugin.close();
      }
    };
    const version = await manifestOf('hostile-protocol-version');
    expect(version.ok ? undefined : version.error.code).toBe('unsupported_protocol_version');
    const invalid = await manifestOf('hostile-manifest-invalid-json');
    expect(invalid.ok ? undefined : invalid.error.code).toBe('invalid_json');
    const future = await manifestOf('hostile-min-app-version');
    expect(future.ok && future.value.min_app_version).toBe('999.0.0');
    const mismatch = await manifestOf('hostile-id-mismatch');
    expect(mismatch.ok && mismatch.value.id).toBe('someone-else.plugin');
  });

  it('cannot be instantiated by plain Extism when it imports what the host does not provide', async () => {
    for (const name of ['hostile-import-unknown', 'hostile-import-env', 'hostile-import-wasi']) {
      await expect(createDirectPlugin(guestBytes(name)), name).rejects.toThrow();
    }
  });
});

describe('host-function abuse guests make exactly the abusive call and report the raw answer', () => {
  const answers = Object.fromEntries(HOST_FUNCTIONS.map((spec) => [spec.name, `answer of ${spec.name}`]));
  const abusers = listGuests({ kind: 'hostile' }).filter((guest) => guest.triggers);

  it.each(
    abusers.flatMap((guest) => (guest.triggers ?? []).map((t) => [guest.name, t.command ?? '', t] as const)),
  )('%s %s', async (name, command, trigger) => {
    const { plugin, calls } = await createDirectPlugin(guestBytes(name), { answers });
    try {
      const output =
        (await plugin.call('handle_command', call(command, trigger.params ?? null)))?.text() ?? '';
      const response = JSON.parse(output) as { success: boolean; data?: unknown };
      expect(calls.length).toBeGreaterThan(0);
      if (command === 'flood') {
        // Every emit was answered non-empty (as a rate limit would answer); the guest counts them.
        const count = (trigger.params as { count: number }).count;
        expect(calls.filter((c) => c.function === 'host_emit_event')).toHaveLength(count);
        expect(response.data).toMatchObject({ calls: count, non_empty: count });
        return;
      }
      const answered = calls.map((c) => answers[c.function] ?? '');
      const data = JSON.stringify(response.data);
      expect(answered.some((answer) => data.includes(JSON.stringify(answer).slice(1, -1)))).toBe(true);
    } finally {
      await plugin.close();
    }
  });
});
