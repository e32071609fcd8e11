import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The language a corpus guest is written in. */
export type GuestLanguage = 'assemblyscript' | 'c' | 'rust' | 'wat';
/**
 * What a corpus guest is for: `golden` answers the conformance table, `hostile` misbehaves on purpose to test
 * a host's defences, `plain` is an Extism guest of no particular protocol.
 */
export type GuestKind = 'golden' | 'hostile' | 'plain';

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

/** One entry of the guest corpus, as recorded in guests/guests.json by `pnpm guests:build`. */
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

/** Absolute folder of the guest corpus (sources, committed .wasm, guests.json, conformance.json). */
export const GUESTS_DIR = fileURLToPath(new URL('../../guests/', import.meta.url));

let cache: readonly GuestInfo[] | undefined;

/** Every guest of the corpus. */
export function listGuests(
  filter: { kind?: GuestKind; language?: GuestLanguage } = {},
): readonly GuestInfo[] {
  cache ??= JSON.parse(readFileSync(`${GUESTS_DIR}guests.json`, 'utf8')) as GuestInfo[];
  return cache.filter(
    (guest) =>
      (!filter.kind || guest.kind === filter.kind) &&
      (!filter.language || guest.language === filter.language),
  );
}

/** One guest by name; throws a clear error naming the known guests for an unknown name. */
export function getGuest(name: string): GuestInfo {
  const guest = listGuests().find((g) => g.name === name);
  if (!guest) {
    throw new Error(
      `no guest named "${name}"; known: ${listGuests()
        .map((g) => g.name)
        .join(', ')}`,
    );
  }
  return guest;
}

/** Absolute path of a guest's built module. */
export function guestPath(name: string): string {
  return `${GUESTS_DIR}${getGuest(name).path}`;
}

/** The bytes of a guest's built module. */
export function guestBytes(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(guestPath(name)));
}
