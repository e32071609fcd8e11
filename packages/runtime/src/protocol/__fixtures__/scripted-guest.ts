import { wat } from '../../__fixtures__/wat.js';
import type { HostBundle } from '@plinth/host-kit';
import type { HostCallRecord } from '../../host/host-functions.js';
import { createInThreadLane } from '../../lanes/in-thread-lane.js';
import type { Lane } from '../../lanes/lane.js';
import { resolveLimits, type PluginLimits } from '../../limits.js';

/** What one export of a scripted guest does. */
export type ScriptedExport =
  | { output: string | Uint8Array }
  | { error: string }
  | { trap: true }
  /** Returns 0 without setting any output. */
  | { silent: true };

/**
 * WAT for a protocol-shaped guest whose exports each do one fixed thing, for load-sequence cases the
 * committed corpus does not cover (warnings, failing init or set_config, a missing export).
 */
export function scriptedGuestWat(exports: Readonly<Record<string, ScriptedExport>>): string {
  const data: string[] = [];
  const funcs: string[] = [];
  let offset = 0;
  const place = (value: string | Uint8Array): [number, number] => {
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
    const escaped = [...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
    data.push(`(data (i32.const ${offset}) "${escaped}")`);
    const at = offset;
    offset += bytes.length + 8;
    return [at, bytes.length];
  };
  for (const [name, behaviour] of Object.entries(exports)) {
    let body: string;
    if ('output' in behaviour) {
      const [at, length] = place(behaviour.output);
      body = `(call $output_set (call $block (i32.const ${at}) (i32.const ${length})) (i64.const ${length})) (i32.const 0)`;
    } else if ('error' in behaviour) {
      const [at, length] = place(behaviour.error);
      body = `(call $error_set (call $block (i32.const ${at}) (i32.const ${length}))) (i32.const 1)`;
    } else if ('trap' in behaviour) {
      body = 'unreachable';
    } else {
      body = '(i32.const 0)';
    }
    funcs.push(`(func (export "${name}") (result i32) ${body})`);
  }
  const pages = Math.max(1, Math.ceil(offset / 65_536));
  return `(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (memory (export "memory") ${pages} ${pages})
  ${data.join('\n  ')}
  (func $block (param $src i32) (param $n i32) (result i64)
    (local $h i64) (local $i i32)
    (local.set $h (call $alloc (i64.extend_i32_u (local.get $n))))
    (block $done (loop $copy
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $store_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))
                      (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy)))
    (local.get $h))
  ${funcs.join('\n  ')}
)`;
}

export async function scriptedGuest(exports: Readonly<Record<string, ScriptedExport>>): Promise<Uint8Array> {
  return wat(scriptedGuestWat(exports));
}

/** A lane that records every export it is asked to run, to prove which calls reached the guest. */
export interface SpyLane extends Lane {
  readonly calls: string[];
  /** Each call's input as text, in call order. */
  readonly inputs: string[];
  readonly hostCalls: HostCallRecord[];
  readonly closed: boolean;
}

export interface TestLaneOptions {
  bundle?: HostBundle;
  limits?: Partial<PluginLimits>;
  config?: Record<string, string>;
  /** Whether the spy forwards `callDecoded` (default true); without it the protocol layer uses `call`. */
  decodes?: boolean;
}

/** An in-thread lane over the bytes, wrapped so a test sees every export call and host call. */
export async function testLane(bytes: Uint8Array, options: TestLaneOptions = {}): Promise<SpyLane> {
  const hostCalls: HostCallRecord[] = [];
  const lane = await createInThreadLane({
    module: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>),
    bundle: options.bundle ?? {},
    limits: resolveLimits(options.limits),
    ...(options.config ? { config: options.config } : {}),
    onHostCall: (record) => hostCalls.push(record),
  });
  const calls: string[] = [];
  const inputs: string[] = [];
  let closed = false;
  const record = (exportName: string, input: Uint8Array | string) => {
    calls.push(exportName);
    inputs.push(typeof input === 'string' ? input : new TextDecoder().decode(input));
  };
  const callDecoded: Lane['callDecoded'] = (exportName, input, context, decode) => {
    record(exportName, input);
    return lane.callDecoded!(exportName, input, context, decode);
  };
  return {
    kind: lane.kind,
    calls,
    inputs,
    hostCalls,
    get closed() {
      return closed;
    },
    call(exportName, input, context) {
      record(exportName, input);
      return lane.call(exportName, input, context);
    },
    ...(options.decodes === false ? {} : { callDecoded }),
    hasExport: (name) => lane.hasExport(name),
    async close() {
      closed = true;
      await lane.close();
    },
  };
}
