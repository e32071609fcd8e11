import { definePayload, type ProtocolWarning } from '../payload.js';
import { PERMISSION_TYPES, policySchema, type Policy } from '../permissions.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Warns about each key of a raw permissions object that is not a permission type. Unknown keys are ignored
 * like any unknown field, but a typo such as `read_file` would otherwise silently grant nothing.
 */
export function warnUnknownPermissionTypes(
  permissions: unknown,
  path: readonly (string | number)[],
  warn: (warning: ProtocolWarning) => void,
): void {
  if (!isRecord(permissions)) return;
  for (const type of Object.keys(permissions)) {
    if (!(PERMISSION_TYPES as readonly string[]).includes(type)) {
      warn({
        path: [...path, type],
        message: `unknown permission type "${type}" ignored (known: ${PERMISSION_TYPES.join(', ')})`,
      });
    }
  }
}

/** A policy document; unknown permission types are warned about. */
export const policyPayload = definePayload<Policy>({
  name: 'Policy',
  fileName: 'policy',
  description: 'A permission policy document (JSON, or YAML front matter decoded to JSON).',
  schema: policySchema,
  postProcess(policy, warn, raw) {
    const plugins = isRecord(raw) && isRecord(raw['plugins']) ? raw['plugins'] : {};
    for (const [pluginId, entry] of Object.entries(plugins)) {
      if (isRecord(entry))
        warnUnknownPermissionTypes(entry['permissions'], ['plugins', pluginId, 'permissions'], warn);
    }
    return policy;
  },
});
