import { z } from 'zod';

/** Any JSON value, as it appears on the wire. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object: string keys, JSON values. */
export type JsonObject = { [key: string]: JsonValue };

/** Accepts any JSON value (no `undefined`, functions, or non-finite numbers). */
export const jsonValueSchema: z.ZodType<JsonValue> = z.json();
/** Accepts a JSON object (not an array or null) whose values are JSON. */
export const jsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), z.json());
