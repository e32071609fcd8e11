import { z } from 'zod';
import { HOST_FUNCTIONS } from '../host-functions/catalogue.js';
import type { HostFunctionSpec, SuccessEncoding } from '../host-functions/define.js';
import { FAILURE_SHAPE_SCHEMAS } from '../host-functions/failure-shapes.js';
import { PAYLOADS } from '../payloads/all.js';
import { cliCommandSchema, uiContributionSchema } from '../payloads/contributions.js';
import {
  injectSections,
  renderProtocolSections,
  type GeneratedSection,
  type InjectResult,
} from './protocol-document.js';

export interface GeneratedFile {
  /** Path relative to the package's schema/ folder. */
  path: string;
  text: string;
}

/**
 * Everything generated from the schemas: the JSON Schema files and the generated tables of PROTOCOL.md. Pure,
 * so a test can check that the committed files are current without touching the disk.
 */
export function renderArtifacts(): {
  schemas: GeneratedFile[];
  /** The regions of PROTOCOL.md between `generated:<name>` markers. */
  protocolSections: GeneratedSection[];
  /** PROTOCOL.md with its generated regions rewritten, and any marker problem that kept one from it. */
  injectProtocolSections(document: string): InjectResult;
} {
  const schemas: GeneratedFile[] = [];
  const add = (path: string, schema: Record<string, unknown>) =>
    schemas.push({ path, text: `${JSON.stringify(schema, null, 2)}\n` });

  for (const payload of PAYLOADS) {
    add(`${payload.fileName}.json`, toSchema(payload.schema, payload.name, payload.description));
  }
  add('cli-command.json', toSchema(cliCommandSchema, 'CliCommand', 'An element of GuestManifest.cli.'));
  add(
    'ui-contribution.json',
    toSchema(uiContributionSchema, 'UiContribution', 'An element of GuestManifest.ui.'),
  );
  for (const [shape, schema] of Object.entries(FAILURE_SHAPE_SCHEMAS)) {
    add(`failure-shapes/failure-${shape.toLowerCase()}.json`, toSchema(schema, `Failure shape ${shape}`));
  }
  for (const spec of HOST_FUNCTIONS as readonly HostFunctionSpec[]) {
    if (spec.request) {
      add(
        `host-functions/${spec.name}.request.json`,
        toSchema(spec.request, `${spec.name} request`, `Input of ${spec.name}.`),
      );
    }
    add(`host-functions/${spec.name}.response.json`, successSchema(spec.name, spec.success));
  }

  const protocolSections = renderProtocolSections();
  return {
    schemas,
    protocolSections,
    injectProtocolSections: (document) => injectSections(document, protocolSections),
  };
}

function toSchema(schema: z.ZodType, title: string, description?: string): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = json;
  return { $schema, title, ...(description && !rest['description'] ? { description } : {}), ...rest };
}

function successSchema(name: string, success: SuccessEncoding): Record<string, unknown> {
  const title = `${name} response`;
  switch (success.kind) {
    case 'json':
      return toSchema(success.schema, title, `Success output of ${name}: ${success.description}.`);
    case 'text':
      return {
        ...toSchema(
          success.schema,
          title,
          `Success output of ${name}, raw text (not JSON): ${success.description}.`,
        ),
        contentMediaType: 'text/plain',
      };
    case 'bytes':
      return {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        title,
        description: `Success output of ${name}, raw bytes (not JSON): ${success.description}.`,
        contentMediaType: 'application/octet-stream',
      };
  }
}
