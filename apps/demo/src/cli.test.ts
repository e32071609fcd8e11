import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'plinth-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function demo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('plinth-demo (protocol demo)', () => {
  it('validates the sample manifest, reports its warnings and prints the whole catalogue', async () => {
    const { code, stdout } = await demo();
    expect(code).toBe(0);
    expect(stdout).toContain('✓');
    expect(stdout).toContain('acme.word-count');
    expect(stdout).toContain('unknown capability "holographic_display" ignored');
    expect(stdout).toMatch(/Host-function catalogue \(\d+ functions/);
    expect(stdout).toMatch(/host_http_request\s+required\s+H\s+http_requests/);
    expect(stdout).toContain('asks to:      read any file, use plugin storage (64 KiB per value)');
    for (const guest of ['as-notes', 'c-protocol', 'rust-protocol', 'wat-protocol']) {
      expect(stdout).toMatch(new RegExp(`${guest}\\s.*✓ \\d+/\\d+ rows`));
    }
  });

  it('rejects a bad manifest with the field, the rule and a non-zero exit', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ id: 'Acme', name: 'x', version: '1.0', description: '', capabilities: [] }),
    );
    const { code, stderr } = await demo('manifest', file);
    expect(code).toBe(1);
    expect(stderr).toContain('[invalid_plugin_id]');
    expect(stderr).toMatch(/version: version must be a semantic version/);
  });

  it('says what is wrong with unreadable files and unknown commands', async () => {
    expect((await demo('manifest', join(dir, 'missing.json'))).stderr).toContain('cannot read');
    const unknown = await demo('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});
