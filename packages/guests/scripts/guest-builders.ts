import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

/** What a guest's `guest.json` says about it. */
export interface GuestDescriptor {
  name: string;
  language: 'assemblyscript' | 'c' | 'rust' | 'wat';
  kind: 'golden' | 'hostile' | 'plain';
  /** Entry source file, relative to the guest's folder. */
  source: string;
  description: string;
  /** What a correct host does with this guest (hostile guests), or what it proves (golden ones). */
  expect: string;
  /** Declared linear-memory maximum in 64 KiB pages, for toolchains that take it as a flag. */
  maxMemoryPages?: number;
  /** True for protocol guests that must answer the shared conformance table (corpus/conformance.json). */
  conformance?: boolean;
  /** Exports to keep (C, Rust). */
  exports?: string[];
}

const require = createRequire(import.meta.url);

/** Debian's rustc; rustup's (earlier on PATH) has no offline wasm32 target. */
export const DEBIAN_RUSTC = '/usr/bin/rustc';

type Builder = (dir: string, guest: GuestDescriptor, outFile: string) => Promise<void>;

const pagesToBytes = (pages: number) => String(pages * 65536);

export const BUILDERS: Record<GuestDescriptor['language'], Builder> = {
  async wat(dir, guest, outFile) {
    const wabt = await (require('wabt') as () => Promise<WabtModule>)();
    const path = join(dir, guest.source);
    const module = wabt.parseWat(guest.source, readFileSync(path, 'utf8'), {
      bulk_memory: true,
      multi_memory: true,
    });
    try {
      module.resolveNames();
      module.validate();
      const { buffer } = module.toBinary({ log: false, write_debug_names: false });
      writeFileSync(outFile, buffer);
    } finally {
      module.destroy();
    }
  },

  async c(dir, guest, outFile) {
    const pages = guest.maxMemoryPages ?? 16;
    run(
      'clang',
      [
        '--target=wasm32',
        '-nostdlib',
        '-mbulk-memory',
        '-O2',
        `-ffile-prefix-map=${dir}=.`,
        '-Wl,--no-entry',
        '-Wl,--strip-all',
        '-Wl,-z,stack-size=65536',
        `-Wl,--max-memory=${pagesToBytes(pages)}`,
        ...(guest.exports ?? []).map((name) => `-Wl,--export=${name}`),
        '-o',
        outFile,
        guest.source,
      ],
      dir,
    );
  },

  async rust(dir, guest, outFile) {
    const pages = guest.maxMemoryPages ?? 16;
    run(
      DEBIAN_RUSTC,
      [
        '--edition',
        '2021',
        '--crate-type',
        'cdylib',
        '--target',
        'wasm32-unknown-unknown',
        '-C',
        'opt-level=s',
        '-C',
        'panic=abort',
        '-C',
        'debuginfo=0',
        '-C',
        'strip=debuginfo',
        '-C',
        'lto=fat',
        '-C',
        'codegen-units=1',
        `--remap-path-prefix=${dir}=.`,
        '-C',
        `link-arg=--max-memory=${pagesToBytes(pages)}`,
        '-C',
        'link-arg=-zstack-size=65536',
        '-o',
        outFile,
        guest.source,
      ],
      dir,
    );
  },

  async assemblyscript(dir, guest, outFile) {
    const asc = require.resolve('assemblyscript/bin/asc.js');
    const entry = guest.source;
    const pages = guest.maxMemoryPages ?? 64;
    run(
      process.execPath,
      [
        asc,
        entry,
        '--outFile',
        outFile,
        '--optimize',
        '--runtime',
        'incremental',
        '--maximumMemory',
        String(pages),
        '--use',
        `abort=${entry.replace(/\.ts$/, '')}/abort`,
      ],
      dir,
    );
  },
};

function run(command: string, args: string[], cwd: string): void {
  try {
    execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string; code?: string };
    if (e.code === 'ENOENT') {
      throw new Error(`${command} is not installed; run scripts/bootstrap-guest-toolchains.sh (needs apt)`);
    }
    throw new Error(
      `${command} failed in ${relative(process.cwd(), cwd)}:\n${e.stderr?.toString() ?? e.message}`,
    );
  }
}

export function toolchainsAvailable(): Record<GuestDescriptor['language'], boolean> {
  const has = (cmd: string) => {
    try {
      execFileSync(cmd, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  return {
    wat: true,
    assemblyscript: true,
    c: has('clang') && has('wasm-ld'),
    rust: existsSync(DEBIAN_RUSTC) && existsSync('/usr/lib/rustlib/wasm32-unknown-unknown'),
  };
}

interface WabtModule {
  parseWat(
    filename: string,
    source: string,
    features?: Record<string, boolean>,
  ): {
    resolveNames(): void;
    validate(): void;
    toBinary(options: { log?: boolean; write_debug_names?: boolean }): { buffer: Uint8Array };
    destroy(): void;
  };
}
