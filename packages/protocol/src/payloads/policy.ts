import { definePayload } from '../payload.js';
import { PERMISSION_TYPES, policySchema, type Policy } from '../permissions.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A policy document. Unknown permission types are ignored like any unknown field, but warned about: a typo
 * such as `read_file` would otherwise silently grant nothing.
 */
export const policyPayload = definePayload<Policy>({
  name: 'Policy',
  fileName: 'policy',
  description: 'A permission policy document (JSON, or YAML front matter decoded to JSON).',
  schema: policySchema,
  postProcess(policy, warn, raw) {
    const plugins = isRecord(raw) && isRecord(raw['plugins']) ? raw['plugins'] : {};
    for (const [pluginId, entry] of Object.entries(plugins)) {
      const permissions = isRecord(entry) ? entry['permissions'] : undefined;
      if (!isRecord(permissions)) continue;
      for (const type of Object.keys(permissions)) {
        if (!(PERMISSION_TYPES as readonly string[]).includes(type)) {
          warn({
            path: ['plugins', pluginId, 'permissions', type],
            message: `unknown permission type "${type}" ignored (known: ${PERMISSION_TYPES.join(', ')})`,
          });
        }
      }
    }
    return policy;
  },
});
