import { decodeGuestManifest, HOST_FUNCTIONS } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { getGuest, guestBytes, listGuests, type HostileTrigger } from './catalogue.js';
import { createDirectPlugin } from './direct-host.js';

/** Every hostile behaviour the guest-kit issue names, and the guest (and command) that has it. */
const REQUIRED_BEHAVIOURS: Record<string, { guest: string; command?: string }> = {
  'infinite loop in a command': { guest: 'hostile-loop-command' },
  'infinite loop in manifest': { guest: 'hostile-loop-manifest' },
  'infinite loop in init': { guest: 'hostile-loop-init' },
  'unbounded memory.grow': { guest: 'hostile-memory-grow' },
  'no declared memory maximum': { guest: 'hostile-memory-unbounded' },
  '4 GiB memory maximum': { guest: 'hostile-memory-too-large' },
  'unreachable trap': { guest: 'hostile-trap-unreachable' },
  'stack overflow': { guest: 'hostile-stack-overflow' },
  '64 MiB output': { guest: 'hostile-output-huge' },
  'invalid JSON output': { guest: 'hostile-output-invalid-json' },
  'invalid JSON manifest': { guest: 'hostile-manifest-invalid-json' },
  'invalid UTF-8 output': { guest: 'hostile-output-invalid-utf8' },
  'wrong protocol_version': { guest: 'hostile-protocol-version' },
  'min_app_version far in the future': { guest: 'hostile-min-app-version' },
  'manifest id different from its directory': { guest: 'hostile-id-mismatch' },
  'imports an unknown extism:host/user function': { guest: 'hostile-import-unknown' },
  'imports from env': { guest: 'hostile-import-env' },
  'imports WASI without permission': { guest: 'hostile-import-wasi' },
  'reads ../': { guest: 'hostile-fs-escape', command: 'read_parent' },
  'reads an encoded ../': { guest: 'hostile-fs-escape', command: 'read_encoded' },
  'reads an absolute path outside the workspace': { guest: 'hostile-fs-escape', command: 'read_absolute' },
  'follows a symlink out': { guest: 'hostile-fs-escape', command: 'read_symlink' },
  "reads another plugin's storage key": { guest: 'hostile-storage-other-plugin', command: 'read_other' },
  'HTTP to a host it was not granted': { guest: 'hostile-http-ungranted', command: 'fetch_ungranted' },
  'HTTP to 127.0.0.1': { guest: 'hostile-http-ungranted', command: 'fetch_loopback' },
  'CR/LF header injection': { guest: 'hostile-http-ungranted', command: 'header_injection' },
  'calls its own command through host_plugin_command': {
    guest: 'hostile-command-self',
    command: 'call_self',
  },
  'unbounded cross-plugin recursion': { guest: 'hostile-command-recursion', command: 'bounce' },
  'emits 100,000 events in one call': { guest: 'hostile-events-flood', command: 'flood' },
  'a 10 MB manifest': { guest: 'hostile-manifest-huge' },
  'a command that never sets output': { guest: 'hostile-no-output' },
  'host functions with malformed JSON': { guest: 'hostile-input-malformed', command: 'read_file_truncated' },
  'host functions with bad base64': { guest: 'hostile-input-malformed', command: 'storage_set_bad_base64' },
};

const call = (command: string, params: unknown = null) => JSON.stringify({ command, params });

describe('hostile corpus coverage', () => {
  it.each(Object.entries(REQUIRED_BEHAVIOURS))('%s has a documented guest', (_behaviour, where) => {
    const guest = getGuest(where.guest);
    expect(guest.kind).toBe('hostile');
    const trigger: HostileTrigger | undefined = where.command
      ? guest.triggers?.find((t) => t.command === where.command)
      : guest.trigger;
    expect(trigger, `${where.guest} ${where.command ?? ''}`).toBeDefined();
    expect(where.command ? trigger?.outcome : guest.outcome).toMatch(/^[a-z]+:[a-z_]+$/);
    expect((where.command ? trigger?.expect : guest.expect)?.length).toBeGreaterThan(20);
  });

  it('names a valid outcome for every hostile guest', () => {
    for (const guest of listGuests({ kind: 'hostile' })) {
      const outcomes = guest.triggers ? guest.triggers.map((t) => t.outcome) : [guest.outcome];
      for (const outcome of outcomes)
        expect(outcome, guest.name).toMatch(/^(limit|load|call|denied|rejected|scoped):[a-z_]+$/);
    }
  });
});

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
