import { z } from 'zod';
import { jsonValueSchema } from '../json.js';
import { definePayload } from '../payload.js';

/** Paths in events are workspace-relative, `/`-separated, with no `./` prefix. */
const relativePath = z.string().describe('Workspace-relative path, `/`-separated, no `./` prefix.');
const workspace = z.object({ workspace_root: z.string() });
const file = z.object({ path: relativePath });

const event = <T extends string, P extends z.ZodType>(type: T, payload: P) =>
  z.object({ event_type: z.literal(type), payload });

/** The events a host emits, each with its typed payload. */
export const guestEventSchema = z
  .discriminatedUnion('event_type', [
    event('workspace_opened', workspace),
    event('workspace_closed', workspace),
    event('workspace_committed', workspace),
    event('workspace_changed', workspace.extend({ changed_paths: z.array(relativePath) })),
    event('file_opened', file),
    event('file_created', file),
    event('file_deleted', file),
    event('file_saved', file.extend({ body_changed: z.boolean().optional() })),
    event('file_moved', z.object({ old_path: relativePath, new_path: relativePath })),
  ])
  .describe('Input of the `on_event` export: a host event with its typed payload.');

/** A host event with its typed payload, as the `on_event` export receives it. */
export type GuestEvent = z.output<typeof guestEventSchema>;
/** The `event_type` of a host event, e.g. `file_saved`. */
export type GuestEventType = GuestEvent['event_type'];
/** The payload type of the host event of type `T`. */
export type GuestEventPayload<T extends GuestEventType> = Extract<GuestEvent, { event_type: T }>['payload'];

/** Every host event type, in schema order. */
export const GUEST_EVENT_TYPES = guestEventSchema.options.map(
  (option) => option.shape.event_type.value,
) as readonly GuestEventType[];

/**
 * Any event, including ones a guest emits with `host_emit_event` or an embedding app defines: a type and
 * an arbitrary JSON payload.
 */
export const anyGuestEventSchema = z
  .object({ event_type: z.string().min(1), payload: jsonValueSchema.default(null) })
  .describe('An event of any type with an arbitrary JSON payload.');

/** An event of any type, guest-emitted ones included, with its JSON payload (null when absent). */
export type AnyGuestEvent = z.output<typeof anyGuestEventSchema>;

/** The `on_event` input payload; only the host event types are accepted. */
export const guestEventPayload = definePayload<GuestEvent>({
  name: 'GuestEvent',
  fileName: 'guest-event',
  description: 'Input of the `on_event` export.',
  schema: guestEventSchema,
});
