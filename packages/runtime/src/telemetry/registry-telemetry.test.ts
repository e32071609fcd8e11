import { SpanStatusCode, trace } from '@opentelemetry/api';
import { createPolicyChecker } from '@plinth/permissions';
import { PlinthError, type CommandResponse, type HostFunctionName } from '@plinth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogBundle } from '@plinth/host-kit';
import { createPermissionGate } from '@plinth/host-kit';
import { combineBundles, type CallReceipt, type HostBundle } from '@plinth/host-kit';
import { serveBundleCall } from '@plinth/host-kit';
import type { PluginHandle } from '../registry/plugin-handle.js';
import { PluginRegistry } from '../registry/plugin-registry.js';
import {
  points,
  registerInMemoryTelemetry,
  type InMemoryTelemetry,
} from './__fixtures__/in-memory-telemetry.js';

const ID = 'acme.fake';
const gate = createPermissionGate({
  permissions: createPolicyChecker({
    policy: { plugins: { [ID]: { permissions: { read_files: { include: ['Notes'] } } } } },
  }),
});
const bundle: HostBundle = combineBundles(
  {
    host_read_file: (request, context) =>
      gate.guardRequest('host_read_file', request, context, () => 'one two three'),
  },
  createLogBundle({ sink: () => undefined }),
);

/**
 * A plugin without wasm that behaves as a lane would: host calls carry the call's receipt, and the lane's
 * part of the receipt (lane, fuel) is filled in.
 */
function fakePlugin(seen: { receipts: (CallReceipt | undefined)[] }): PluginHandle {
  const host = async (name: HostFunctionName, request: object, receipt: CallReceipt | undefined) =>
    serveBundleCall(bundle, name, JSON.stringify(request), {
      pluginId: ID,
      pluginVersion: '1.2.0',
      exportName: 'handle_command',
      receipt,
    });
  return {
    id: ID,
    version: '1.2.0',
    manifest: undefined,
    handles: () => true,
    async command(name, params, options): Promise<CommandResponse> {
      const receipt = options?.receipt;
      seen.receipts.push(receipt);
      if (receipt) Object.assign(receipt, { lane: 'in-thread', fuelUsed: 1234 });
      if (name === 'read') {
        const { path } = params as { path: string };
        const served = await host('host_read_file', { path }, receipt);
        return served.outcome === 'ok'
          ? { success: true, data: String(served.answer) }
          : { success: false, error: String(served.answer), error_code: 'permission_denied' };
      }
      if (name === 'log') {
        await host('host_log', { level: 'info', message: 'hello from the guest' }, receipt);
        return { success: true };
      }
      if (name === 'active') return { success: true, data: trace.getActiveSpan() === undefined };
      throw new PlinthError('trap', `plugin ${ID}: wasm trap: unreachable`, { pluginId: ID });
    },
    event: async () => null,
    shutdown: async () => undefined,
  };
}

async function openRegistry() {
  const seen = { receipts: [] as (CallReceipt | undefined)[] };
  const registry = new PluginRegistry();
  await registry.load(ID, async () => fakePlugin(seen));
  return { registry, seen };
}

describe('registry telemetry without a provider', () => {
  it('gives calls no receipt and no active span, and answers as before', async () => {
    const { registry, seen } = await openRegistry();
    expect(await registry.command(ID, 'read', { path: 'Notes/a.md' })).toEqual({
      success: true,
      data: 'one two three',
    });
    expect(await registry.command(ID, 'read', { path: 'Private/b.md' })).toMatchObject({ success: false });
    expect(await registry.command(ID, 'active')).toEqual({ success: true, data: true });
    await expect(registry.command(ID, 'crash')).rejects.toMatchObject({ code: 'trap' });
    expect(seen.receipts).toEqual([undefined, undefined, undefined, undefined]);
    await registry.close();
  });
});

describe('registry telemetry with the SDK registered', () => {
  let telemetry: InMemoryTelemetry;
  beforeAll(() => {
    telemetry = registerInMemoryTelemetry();
  });
  afterAll(async () => {
    await telemetry.shutdown();
  });

  it('records a call span per call, host-function spans as its children, denials and log lines', async () => {
    const { registry } = await openRegistry();
    await registry.command(ID, 'read', { path: 'Notes/a.md' });
    await registry.command(ID, 'read', { path: 'Private/b.md' });
    await registry.command(ID, 'log');
    await registry.close();

    const calls = telemetry.spansNamed('plinth.call read');
    expect(calls.map((span) => span.attributes)).toEqual([
      {
        'plinth.plugin.id': ID,
        'plinth.plugin.version': '1.2.0',
        'plinth.call.kind': 'command',
        'plinth.call.name': 'read',
        'plinth.call.outcome': 'ok',
        'plinth.lane': 'in-thread',
        'plinth.fuel.used': 1234,
      },
      {
        'plinth.plugin.id': ID,
        'plinth.plugin.version': '1.2.0',
        'plinth.call.kind': 'command',
        'plinth.call.name': 'read',
        'plinth.call.outcome': 'ok',
        'plinth.lane': 'in-thread',
        'plinth.fuel.used': 1234,
        'plinth.command.success': false,
        'plinth.command.error_code': 'permission_denied',
      },
    ]);
    const reads = telemetry.spansNamed('plinth.host host_read_file');
    expect(reads.map((span) => span.parentSpanContext?.spanId)).toEqual(
      calls.map((span) => span.spanContext().spanId),
    );
    expect(reads[0]?.attributes).toEqual({
      'plinth.host_function.name': 'host_read_file',
      'plinth.plugin.id': ID,
      'plinth.plugin.version': '1.2.0',
      'plinth.host_function.outcome': 'ok',
      'plinth.permission.denied': false,
    });
    expect(reads[0]?.status.code).toBe(SpanStatusCode.UNSET);
    expect(reads[1]?.attributes).toMatchObject({
      'plinth.host_function.outcome': 'failure',
      'plinth.permission.denied': true,
      'plinth.permission.type': 'read_files',
      'error.type': 'permission_denied',
    });
    expect(reads[1]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(reads[1]?.events.map((event) => [event.name, event.attributes])).toEqual([
      [
        'plinth.permission.denied',
        { 'plinth.permission.type': 'read_files', 'plinth.permission.target': 'Private/b.md' },
      ],
    ]);

    const [logCall] = telemetry.spansNamed('plinth.call log');
    expect(logCall?.events.map((event) => [event.name, event.attributes])).toEqual([
      ['plinth.log', { 'plinth.log.level': 'info', 'plinth.log.message': 'hello from the guest' }],
    ]);
    expect(telemetry.spansNamed('plinth.host host_log')[0]?.parentSpanContext?.spanId).toBe(
      logCall?.spanContext().spanId,
    );

    const collected = await telemetry.collect();
    expect(points(collected.get('plinth.permission.denials'))).toEqual([
      {
        attributes: {
          'plinth.plugin.id': ID,
          'plinth.permission.type': 'read_files',
          'plinth.host_function.name': 'host_read_file',
        },
        value: 1,
      },
    ]);
    expect(collected.get('plinth.plugin.call.duration')?.descriptor.unit).toBe('s');
  });

  it('marks a rejected call ERROR with its code and exception, and counts it', async () => {
    const { registry } = await openRegistry();
    await expect(registry.command(ID, 'crash')).rejects.toMatchObject({ code: 'trap' });
    await registry.close();
    const [span] = telemetry.spansNamed('plinth.call crash');
    expect(span?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: `plugin ${ID}: wasm trap: unreachable`,
    });
    expect(span?.attributes).toMatchObject({ 'plinth.call.outcome': 'error', 'error.type': 'trap' });
    // The SDK names an exception by its `code` when it has one.
    expect(span?.events.map((event) => [event.name, event.attributes])).toEqual([
      [
        'exception',
        expect.objectContaining({
          'exception.type': 'trap',
          'exception.message': `plugin ${ID}: wasm trap: unreachable`,
        }),
      ],
    ]);
    const crash = {
      'plinth.plugin.id': ID,
      'plinth.plugin.version': '1.2.0',
      'plinth.call.kind': 'command',
      'plinth.call.name': 'crash',
      'plinth.lane': 'in-thread',
      'error.type': 'trap',
    };
    const collected = await telemetry.collect();
    expect(points(collected.get('plinth.plugin.call.errors'))).toEqual([{ attributes: crash, value: 1 }]);
    expect(points(collected.get('plinth.plugin.calls'))).toContainEqual({ attributes: crash, value: 1 });
    expect(points(collected.get('plinth.plugin.call.fuel'))).toContainEqual({
      attributes: crash,
      value: expect.objectContaining({ count: 1, sum: 1234 }),
    });
  });

  it('makes the call span a child of the active span and active while the plugin runs', async () => {
    const { registry } = await openRegistry();
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('app request', async (parent) => {
      expect(await registry.command(ID, 'active')).toEqual({ success: true, data: false });
      parent.end();
    });
    await registry.close();
    const [call] = telemetry.spansNamed('plinth.call active');
    const [app] = telemetry.spansNamed('app request');
    expect(call?.parentSpanContext?.spanId).toBe(app?.spanContext().spanId);
    expect(call?.spanContext().traceId).toBe(app?.spanContext().traceId);
  });
});

describe('registry telemetry without a context manager', () => {
  let telemetry: InMemoryTelemetry;
  beforeAll(() => {
    telemetry = registerInMemoryTelemetry({ contextManager: false });
  });
  afterAll(async () => {
    await telemetry.shutdown();
  });

  it('still makes host-function spans children of their call (the span travels with the call)', async () => {
    const { registry } = await openRegistry();
    await registry.command(ID, 'read', { path: 'Private/b.md' });
    await registry.close();
    const [call] = telemetry.spansNamed('plinth.call read');
    const [read] = telemetry.spansNamed('plinth.host host_read_file');
    expect(read?.parentSpanContext?.spanId).toBe(call?.spanContext().spanId);
    expect(read?.attributes['plinth.permission.denied']).toBe(true);
  });
});
