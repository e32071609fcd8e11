import { describe, expect, it } from 'vitest';
import { getGuest, listGuests } from './catalogue.js';
import type { HostileTrigger } from './guest-info.js';

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
