import {
  checkConformanceTable,
  guestBytes,
  listGuests,
  loadConformanceTable,
  type ConformanceHostCall,
  type ConformanceResult,
} from '@plinth/guests';
import { summarizePermissions } from '@plinth/permissions';
import { openPlugin } from '@plinth/runtime';
import {
  HOST_FUNCTIONS,
  formatPath,
  type GuestManifest,
  type HostFunctionSpec,
  type ProtocolWarning,
} from '@plinth/protocol';

export function renderManifestReport(
  source: string,
  manifest: GuestManifest,
  warnings: readonly ProtocolWarning[],
): string {
  const lines = [
    `✓ ${source}: ${manifest.name} (${manifest.id}) v${manifest.version}, protocol ${manifest.protocol_version}`,
    `  ${manifest.description}`,
    `  capabilities: ${manifest.capabilities.join(', ') || '(none)'}`,
    `  commands:     ${manifest.commands.join(', ') || '(none)'}`,
    `  cli:          ${manifest.cli.map((c) => c.name).join(', ') || '(none)'}`,
  ];
  const requested = manifest.requested_permissions;
  if (requested) {
    lines.push(`  asks to:      ${summarizePermissions(requested.defaults)}`);
    for (const [type, reason] of Object.entries(requested.reasons)) lines.push(`    ${type}: ${reason}`);
  }
  for (const warning of warnings) lines.push(`  warning at ${formatPath(warning.path)}: ${warning.message}`);
  return lines.join('\n');
}

/** The host-function catalogue as a terminal table. */
export function renderCatalogue(): string {
  const specs = HOST_FUNCTIONS as readonly HostFunctionSpec[];
  const rows = specs.map((spec) => [
    spec.name,
    spec.set,
    spec.failure,
    spec.permission ? spec.permission.types.join('|') : '-',
    spec.summary,
  ]);
  const header = ['function', 'set', 'fail', 'permission', 'what it does'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const render = (row: string[]) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ');
  const required = specs.filter((s) => s.set === 'required').length;
  return [
    `\nHost-function catalogue (${specs.length} functions: ${required} required, ${specs.length - required} extended)`,
    render(header),
    render(widths.map((w) => '-'.repeat(w))),
    ...rows.map(render),
  ].join('\n');
}

/**
 * One guest against the conformance table, on the runtime's in-thread lane: the table's host answers as the
 * only host functions (every other one answers "not available"), each call recorded for the row checks.
 */
async function conformanceOf(wasm: Uint8Array): Promise<ConformanceResult[]> {
  const hostCalls: ConformanceHostCall[] = [];
  const answers = Object.entries(loadConformanceTable().host);
  const plugin = await openPlugin({
    source: { bytes: wasm },
    bundle: Object.fromEntries(answers.map(([name, answer]) => [name, () => answer])),
    onHostCall: (record) => hostCalls.push({ function: record.function, input: record.input }),
  });
  try {
    return await checkConformanceTable({
      call: (exportName, input) => plugin.callText(exportName, input),
      hostCalls,
    });
  } finally {
    await plugin.close();
  }
}

/** Runs the shared conformance table against every golden guest, through @plinth/runtime. */
export async function renderConformance(): Promise<{ ok: boolean; report: string }> {
  const lines = ['\nGolden guests against the shared conformance table (through @plinth/runtime, in-thread)'];
  let ok = true;
  for (const guest of listGuests({ kind: 'golden' }).filter((g) => g.conformance)) {
    const results = await conformanceOf(guestBytes(guest.name));
    const failed = results.filter((r) => !r.ok);
    ok &&= failed.length === 0;
    const verdict =
      failed.length === 0 ? `✓ ${results.length}/${results.length} rows` : `✗ ${failed.length} rows failed`;
    lines.push(
      `  ${guest.name.padEnd(16)} ${guest.language.padEnd(15)} ${String(guest.size).padStart(6)} B  ${verdict}`,
    );
    for (const failure of failed) lines.push(`      ${failure.row}: ${failure.problems.join('; ')}`);
  }
  return { ok, report: lines.join('\n') };
}
