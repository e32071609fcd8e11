import { describe, expect, it } from 'vitest';
import { anyGuestEventSchema, GUEST_EVENT_TYPES, guestEventPayload, type GuestEvent } from './events.js';

/** One valid event of each host-emitted type, as PROTOCOL.md section 3 describes it. */
const examples: GuestEvent[] = [
  { event_type: 'workspace_opened', payload: { workspace_root: '/home/ana/Notes' } },
  { event_type: 'workspace_closed', payload: { workspace_root: '/home/ana/Notes' } },
  { event_type: 'workspace_committed', payload: { workspace_root: '/home/ana/Notes/README.md' } },
  {
    event_type: 'workspace_changed',
    payload: { workspace_root: '/w', changed_paths: ['Daily/2026-03-02.md', 'README.md'] },
  },
  { event_type: 'file_opened', payload: { path: 'Daily/2026-03-02.md' } },
  { event_type: 'file_created', payload: { path: 'Daily/2026-03-03.md' } },
  { event_type: 'file_deleted', payload: { path: 'old.md' } },
  { event_type: 'file_saved', payload: { path: 'README.md', body_changed: true } },
  { event_type: 'file_moved', payload: { old_path: 'a.md', new_path: 'archive/a.md' } },
];

/** For each type, a payload that belongs to another type (or is missing a field), with the path of the issue. */
const wrongPayloads: [GuestEvent['event_type'], unknown, (string | number)[]][] = [
  ['workspace_opened', { path: 'x.md' }, ['payload', 'workspace_root']],
  ['workspace_closed', {}, ['payload', 'workspace_root']],
  ['workspace_committed', { workspace_root: 5 }, ['payload', 'workspace_root']],
  ['workspace_changed', { workspace_root: '/w' }, ['payload', 'changed_paths']],
  ['file_opened', { workspace_root: '/w' }, ['payload', 'path']],
  ['file_created', null, ['payload']],
  ['file_deleted', 'x.md', ['payload']],
  ['file_saved', { path: 'a.md', body_changed: 'yes' }, ['payload', 'body_changed']],
  ['file_moved', { path: 'a.md' }, ['payload', 'old_path']],
];

describe('GuestEvent', () => {
  it('knows exactly the nine host-emitted event types', () => {
    expect([...GUEST_EVENT_TYPES].sort()).toEqual(examples.map((e) => e.event_type).sort());
    expect(GUEST_EVENT_TYPES).toHaveLength(9);
  });

  it.each(examples)('accepts $event_type with its typed payload', (event) => {
    const result = guestEventPayload.decode(JSON.stringify(event));
    expect(result).toEqual({ ok: true, value: event, warnings: [] });
  });

  it('accepts file_saved without body_changed (optional)', () => {
    const result = guestEventPayload.parse({ event_type: 'file_saved', payload: { path: 'a.md' } });
    expect(result.ok && result.value).toEqual({ event_type: 'file_saved', payload: { path: 'a.md' } });
  });

  it.each(wrongPayloads)('rejects %s with a wrong payload', (eventType, payload, path) => {
    const result = guestEventPayload.parse({ event_type: eventType, payload });
    if (result.ok) throw new Error('expected a rejection');
    expect(result.error.code).toBe('invalid_payload');
    expect(result.error.path).toEqual(path);
    expect(result.error.message).toMatch(/^Invalid GuestEvent: at payload/);
  });

  it('rejects an event without event_type', () => {
    const result = guestEventPayload.parse({ payload: { path: 'a.md' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.path).toEqual(['event_type']);
  });

  it('ignores unknown fields in a typed payload', () => {
    const result = guestEventPayload.parse({
      event_type: 'file_opened',
      payload: { path: 'a.md', cursor: 3 },
      at: 1,
    });
    expect(result.ok && result.value).toEqual({ event_type: 'file_opened', payload: { path: 'a.md' } });
  });
});

describe('anyGuestEventSchema (events guests or apps define)', () => {
  it('accepts any type with any JSON payload, defaulting the payload to null', () => {
    expect(anyGuestEventSchema.parse({ event_type: 'daily.entry_created', payload: { path: 'x' } })).toEqual({
      event_type: 'daily.entry_created',
      payload: { path: 'x' },
    });
    expect(anyGuestEventSchema.parse({ event_type: 'ping' })).toEqual({ event_type: 'ping', payload: null });
  });

  it('rejects an empty event type', () => {
    expect(anyGuestEventSchema.safeParse({ event_type: '', payload: null }).success).toBe(false);
  });
});
