import { PolicyStore } from '@plinth/permissions';
import { PlinthError } from '@plinth/protocol';
import type { z } from 'zod';
import {
  BROWSER_ROUTES,
  pluginListSchema,
  policyAnswerSchema,
  sampleNotesSchema,
  type SampleNotes,
  type ServedPlugin,
} from '../src/browser-api.js';

// What the demo's server offers the page, fetched and checked before anything uses it.

async function fetchChecked<T>(route: string, schema: z.ZodType<T>): Promise<T> {
  const response = await fetch(route);
  if (!response.ok) {
    throw new PlinthError('load_failed', `the demo server answered ${response.status} for ${route}`);
  }
  const checked = schema.safeParse(await response.json());
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue?.path.join('.') || '(the answer)';
    throw new PlinthError(
      'invalid_payload',
      `the demo server's ${route} answer does not fit: ${where}: ${issue?.message ?? 'malformed'}`,
    );
  }
  return checked.data;
}

export interface ServerData {
  plugins: readonly ServedPlugin[];
  notes: SampleNotes;
  /** The sample's policy, checked (a malformed one throws PolicyError naming plugin and permission). */
  policy: PolicyStore;
  policySource: string;
}

export async function fetchServerData(): Promise<ServerData> {
  const [list, notes, answer] = await Promise.all([
    fetchChecked(BROWSER_ROUTES.plugins, pluginListSchema),
    fetchChecked(BROWSER_ROUTES.notes, sampleNotesSchema),
    fetchChecked(BROWSER_ROUTES.policy, policyAnswerSchema),
  ]);
  return {
    plugins: list.plugins,
    notes,
    policy: new PolicyStore(answer.policy),
    policySource: answer.source,
  };
}
