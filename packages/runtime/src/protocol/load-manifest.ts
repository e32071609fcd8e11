import {
  decodeJson,
  parseGuestManifest,
  PlinthError,
  PLUGIN_ID_MAX_LENGTH,
  PROTOCOL_VERSION,
  type GuestManifest,
  type PlinthErrorContext,
  type ProtocolWarning,
} from '@plinth/protocol';
import type { CallReceipt } from '@plinth/host-kit';
import { lt, valid } from 'semver';
import { describeCall } from '../call-errors.js';
import type { Lane } from '../lanes/lane.js';

/**
 * Largest manifest the host reads. Real manifests are a few KiB; the cap is checked before the text is
 * decoded or parsed, so a hostile guest cannot make the host parse megabytes of JSON at every load.
 */
export const DEFAULT_MANIFEST_MAX_BYTES = 1024 * 1024;

/** What `readManifest` calls and how: the lane of an opened module, and the size cap. */
export interface ReadManifestOptions {
  lane: Lane;
  /** The id the plugin is installed under (its directory name), used to name it until the manifest is read. */
  expectedId?: string | undefined;
  manifestMaxBytes: number;
  /** Filled in by the lane when the call ends (the fuel a metered guest used). */
  receipt?: CallReceipt | undefined;
}

/** A decoded, checked manifest and the warnings its decoding raised (unknown fields, …). */
export interface ManifestReading {
  manifest: GuestManifest;
  warnings: readonly ProtocolWarning[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Calls `manifest` on the load budget and decodes it (PROTOCOL.md sections 2 and 3): the size cap, UTF-8,
 * the protocol version, then the shape. Every failure is a typed load error.
 */
export async function readManifest(options: ReadManifestOptions): Promise<ManifestReading> {
  const { lane, expectedId, manifestMaxBytes } = options;
  const context: PlinthErrorContext = { pluginId: expectedId, exportName: 'manifest' };
  const invalid = (problem: string, cause?: unknown, pluginId = expectedId): PlinthError =>
    new PlinthError('manifest_invalid', `${describeCall({ ...context, pluginId })} ${problem}`, {
      ...context,
      pluginId,
      cause,
    });

  if (!lane.hasExport('manifest')) {
    throw invalid('does not export manifest, so it is not a Plinth protocol guest');
  }
  const { output } = await lane.call('manifest', '', {
    pluginId: expectedId ?? '',
    exportName: 'manifest',
    phase: 'load',
    ...(options.receipt === undefined ? {} : { receipt: options.receipt }),
  });
  if (output === null) throw invalid('set no output; a GuestManifest is required');
  // output_too_large rather than manifest_invalid: this is a size limit hit before the content is read,
  // and like every limit error it names the limit.
  if (output.length > manifestMaxBytes) {
    throw new PlinthError(
      'output_too_large',
      `${describeCall(context)} returned a manifest of ${output.length} bytes; the limit is ${manifestMaxBytes} bytes`,
      { ...context, limit: 'manifestMaxBytes' },
    );
  }
  let text: string;
  try {
    text = utf8.decode(output);
  } catch (cause) {
    throw invalid('returned a manifest that is not valid UTF-8', cause);
  }
  const json = decodeJson(text, 'GuestManifest');
  if (!json.ok) throw invalid(`returned an invalid manifest: ${json.error.message}`, json.error);

  const raw = json.value as { id?: unknown; protocol_version?: unknown } | null;
  const rawId = typeof raw?.id === 'string' && raw.id.length <= PLUGIN_ID_MAX_LENGTH ? raw.id : undefined;
  const name = expectedId ?? rawId;
  // Checked before the shape: a manifest of another protocol version may legitimately have another shape,
  // and "field x is wrong" would hide the real problem.
  const declared = raw?.protocol_version;
  if (typeof declared === 'number' && Number.isInteger(declared)) {
    checkProtocolVersion(declared, { ...context, pluginId: name });
  }
  const parsed = parseGuestManifest(json.value);
  if (!parsed.ok) {
    if (parsed.error.code === 'unsupported_protocol_version') {
      throw new PlinthError(
        'incompatible_protocol',
        `${describeCall({ ...context, pluginId: name })} is incompatible: ${parsed.error.message}`,
        { ...context, pluginId: name, cause: parsed.error },
      );
    }
    throw invalid(`returned an invalid manifest: ${parsed.error.message}`, parsed.error, name);
  }
  return { manifest: parsed.value, warnings: parsed.warnings };
}

function checkProtocolVersion(declared: number, context: PlinthErrorContext): void {
  if (declared >= PROTOCOL_VERSION.min && declared <= PROTOCOL_VERSION.max) return;
  throw new PlinthError(
    'incompatible_protocol',
    `${describeCall(context)} declares protocol_version ${declared}; this host supports [${PROTOCOL_VERSION.min},${PROTOCOL_VERSION.max}]`,
    context,
  );
}

export interface CheckManifestOptions {
  hostAppVersion: string;
  expectedId?: string | undefined;
}

/** The checks a manifest must pass against this host, whether it was just read or came from a cache. */
export function checkManifest(manifest: GuestManifest, options: CheckManifestOptions): void {
  const { hostAppVersion, expectedId } = options;
  const context: PlinthErrorContext = {
    pluginId: expectedId ?? manifest.id,
    pluginVersion: manifest.version,
    exportName: 'manifest',
  };
  const required = manifest.min_app_version;
  if (required !== undefined) {
    if (valid(required) === null) {
      throw new PlinthError(
        'manifest_invalid',
        `${describeCall(context)} declares min_app_version ${JSON.stringify(required)}, which is not a semantic version`,
        context,
      );
    }
    if (lt(hostAppVersion, required)) {
      throw new PlinthError(
        'incompatible_host_version',
        `${describeCall(context)} requires app version ${required} or later; this host is version ${hostAppVersion}`,
        context,
      );
    }
  }
  if (expectedId !== undefined && manifest.id !== expectedId) {
    throw new PlinthError(
      'id_mismatch',
      `plugin installed as ${expectedId} declares the id ${manifest.id} in its manifest; the directory name and the manifest id must be equal`,
      context,
    );
  }
}
