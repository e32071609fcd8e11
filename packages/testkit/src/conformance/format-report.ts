import type { CheckStatus, ConformanceReport, FindingSeverity } from './report.js';

const STATUS_MARK: Readonly<Record<CheckStatus, string>> = { pass: '✓', fail: '✗', skip: '–' };
const SEVERITY_MARK: Readonly<Record<FindingSeverity, string>> = { error: '✗', warning: '!', info: '·' };

/** The report as text: one line per check, its findings indented beneath, then a summary line. */
export function formatReport(report: ConformanceReport, subject?: string): string {
  const lines: string[] = [];
  const name = report.plugin ? `${report.plugin.id}@${report.plugin.version}` : 'unknown plugin';
  lines.push(`plinth-test ${subject ? `${subject} ` : ''}(${name})`);
  const width = Math.max(...report.checks.map((check) => check.id.length));
  for (const check of report.checks) {
    const skipped = check.status === 'skip' && check.reason ? ` (skipped: ${check.reason})` : '';
    lines.push(`${STATUS_MARK[check.status]} ${check.id.padEnd(width)}  ${check.title}${skipped}`);
    for (const finding of check.findings) {
      lines.push(`    ${SEVERITY_MARK[finding.severity]} ${finding.code}: ${finding.message}`);
    }
  }
  const count = (status: CheckStatus) => report.checks.filter((check) => check.status === status).length;
  const warnings = report.checks.flatMap((check) => check.findings).filter((f) => f.severity === 'warning');
  lines.push(
    `${report.passed ? 'PASS' : 'FAIL'}: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`,
  );
  return `${lines.join('\n')}\n`;
}
