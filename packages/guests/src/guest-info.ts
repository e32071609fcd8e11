import { z } from 'zod';

/** The languages corpus guests are written in. */
export const GUEST_LANGUAGES = ['assemblyscript', 'c', 'rust', 'wat'] as const;
/** The language a corpus guest is written in. */
export type GuestLanguage = (typeof GUEST_LANGUAGES)[number];

/** The kinds of corpus guest (see `GuestKind`). */
export const GUEST_KINDS = ['golden', 'hostile', 'plain'] as const;
/**
 * What a corpus guest is for: `golden` answers the conformance table, `hostile` misbehaves on purpose to test
 * a host's defences, `plain` is an Extism guest of no particular protocol.
 */
export type GuestKind = (typeof GUEST_KINDS)[number];

/** How to provoke a hostile guest's behaviour, and what a correct host must do. */
export interface HostileTrigger {
  /** The export to call, with its input text; or the load phase where the behaviour shows. */
  export?: string;
  input?: string;
  phase?: 'compile' | 'instantiate';
  /** For guests with several behaviours: the command and params to send to `handle_command`. */
  command?: string;
  params?: unknown;
  /** Machine-readable outcome, e.g. `limit:timeout`, `load:unknown_import`, `denied:read_files`. */
  outcome?: string;
  expect?: string;
}

/** One entry of the guest corpus, as recorded in corpus/guests.json by `pnpm guests:build`. */
export interface GuestInfo {
  name: string;
  language: GuestLanguage;
  kind: GuestKind;
  /** Entry source file, relative to the guest's folder. */
  source: string;
  description: string;
  /** What a correct host does with this guest (hostile), or what it proves (golden, plain). */
  expect: string;
  /** True for protocol guests that answer the shared conformance table. */
  conformance?: boolean;
  /** Declared linear-memory maximum in 64 KiB pages, where the toolchain takes it as a flag. */
  maxMemoryPages?: number;
  /** The exports the build keeps (C, Rust). */
  exports?: string[];
  /** Hostile guests: how to trigger the behaviour (single-behaviour guests). */
  trigger?: HostileTrigger;
  /** Hostile guests: one trigger per command (multi-behaviour guests). */
  triggers?: HostileTrigger[];
  /** Hostile guests: machine-readable outcome of `trigger`. */
  outcome?: string;
  /** Path of the built module relative to the guests folder. */
  path: string;
  sha256: string;
  size: number;
}

const hostileTriggerSchema: z.ZodType<HostileTrigger> = z.object({
  export: z.string().exactOptional(),
  input: z.string().exactOptional(),
  phase: z.enum(['compile', 'instantiate']).exactOptional(),
  command: z.string().exactOptional(),
  params: z.unknown().exactOptional(),
  outcome: z.string().exactOptional(),
  expect: z.string().exactOptional(),
});

/** One `guests.json` entry; the annotation keeps it in step with `GuestInfo`. */
export const guestInfoSchema: z.ZodType<GuestInfo> = z.object({
  name: z.string().min(1),
  language: z.enum(GUEST_LANGUAGES),
  kind: z.enum(GUEST_KINDS),
  source: z.string().min(1),
  description: z.string(),
  expect: z.string(),
  conformance: z.boolean().exactOptional(),
  maxMemoryPages: z.int().positive().exactOptional(),
  exports: z.array(z.string()).exactOptional(),
  trigger: hostileTriggerSchema.exactOptional(),
  triggers: z.array(hostileTriggerSchema).exactOptional(),
  outcome: z.string().exactOptional(),
  // Relative and inside the corpus: the reader joins it to GUESTS_DIR.
  path: z
    .string()
    .regex(/^(golden|hostile|plain)\/[a-z0-9-]+\/plugin\.wasm$/, 'must be <kind>/<name>/plugin.wasm'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  size: z.int().positive(),
});
