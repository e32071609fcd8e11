import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOptions, defineOptions, PlinthError } from '@plinth/protocol';
import { z } from 'zod';
import {
  GUEST_KINDS,
  GUEST_LANGUAGES,
  guestInfoSchema,
  type GuestInfo,
  type GuestKind,
  type GuestLanguage,
} from './guest-info.js';
import { readCorpusJson } from './read-corpus-json.js';

/** Absolute folder of the guest corpus (sources, committed .wasm, guests.json, conformance.json). */
export const GUESTS_DIR = fileURLToPath(new URL('../corpus/', import.meta.url));

/** Which guests `listGuests` answers; each field left out matches every guest. */
export interface ListGuestsFilter {
  kind?: GuestKind;
  language?: GuestLanguage;
}

const listGuestsFilterSchema = defineOptions<ListGuestsFilter>()(
  z.strictObject({
    kind: z.enum(GUEST_KINDS).optional(),
    language: z.enum(GUEST_LANGUAGES).optional(),
  }),
);

let cache: readonly GuestInfo[] | undefined;

/** Every guest of the corpus, sorted by name, as `guests.json` records it; `filter` narrows by kind or language. */
export function listGuests(filter: ListGuestsFilter = {}): readonly GuestInfo[] {
  checkOptions('listGuests', listGuestsFilterSchema, filter);
  cache ??= readCorpusJson(join(GUESTS_DIR, 'guests.json'), z.array(guestInfoSchema));
  return cache.filter(
    (guest) =>
      (!filter.kind || guest.kind === filter.kind) &&
      (!filter.language || guest.language === filter.language),
  );
}

/** One guest by name; an unknown name throws `invalid_options` listing the known guests. */
export function getGuest(name: string): GuestInfo {
  const guest = listGuests().find((g) => g.name === name);
  if (!guest) {
    throw new PlinthError(
      'invalid_options',
      `getGuest: no guest named ${JSON.stringify(name)}; known: ${listGuests()
        .map((g) => g.name)
        .join(', ')}`,
    );
  }
  return guest;
}

/** Absolute path of a guest's built module. */
export function guestPath(name: string): string {
  return join(GUESTS_DIR, getGuest(name).path);
}

/** The bytes of a guest's built module. */
export function guestBytes(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(guestPath(name)));
}
