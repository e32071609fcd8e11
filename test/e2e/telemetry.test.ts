import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { propagation, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createNodeHost, type NodeHost } from '@plinth/host-node';
import { PluginToolServer } from '@plinth/mcp';
import type { CallRecord } from '@plinth/runtime';
import { guestBytes } from '@plinth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  points,
  registerInMemoryTelemetry,
  type InMemoryTelemetry,
} from '../../packages/runtime/src/telemetry/__fixtures__/in-memory-telemetry.js';

const NOTES = 'plinth-golden.notes';
// `auto` runs the notes plugin in-thread and metered (it needs nothing asynchronous); `isolated`, unmetered.
const LANES = [
  { lane: 'in-thread', mode: 'auto', metered: true },
  { lane: 'isolated', mode: 'isolated', metered: false },
] as const;
type LaneCase = (typeof LANES)[number];
const POLICY = `---
plugins:
  ${NOTES}:
    permissions:
      read_files: { include: [Notes] }
---
# Notes
`;

let base: string;
beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-e2e-telemetry-')));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A host over a fresh workspace with the golden notes plugin, in the lane of `lane`. */
async function openHost({ lane, mode }: LaneCase, records: CallRecord[]): Promise<NodeHost> {
  const workspace = mkdtempSync(join(base, `${lane}-`));
  const pluginsRoot = join(workspace, '.plugins');
  mkdirSync(join(workspace, 'Notes'));
  mkdirSync(join(workspace, 'Private'));
  mkdirSync(join(pluginsRoot, NOTES), { recursive: true });
  writeFileSync(join(workspace, 'README.md'), POLICY);
  writeFileSync(join(workspace, 'Notes', 'a.md'), 'one two three');
  writeFileSync(join(workspace, 'Private', 'b.md'), 'four five');
  writeFileSync(join(pluginsRoot, NOTES, 'plugin.wasm'), guestBytes('as-notes'));
  const host = await createNodeHost({
    workspaceRoot: workspace,
    pluginsRoot,
    policy: { frontMatter: join(workspace, 'README.md') },
    hostAppVersion: '1.0.0',
    lane: mode,
    onCall: (record) => records.push(record),
  });
  await host.start();
  return host;
}

/** Reads a granted note, is refused an ungranted one, logs a line. */
async function runScenario(host: NodeHost): Promise<void> {
  expect(await host.command(NOTES, 'word_count', { path: 'Notes/a.md' })).toEqual({
    success: true,
    data: { path: 'Notes/a.md', words: 3 },
  });
  expect(await host.command(NOTES, 'word_count', { path: 'Private/b.md' })).toMatchObject({
    success: false,
    error_code: 'permission_denied',
  });
  expect(await host.command(NOTES, 'greet', { name: 'Zoë' })).toEqual({
    success: true,
    data: 'Hello, Zoë!',
  });
}

const childrenOf = (spans: readonly ReadableSpan[], parent: ReadableSpan | undefined) =>
  spans.filter((span) => span.parentSpanContext?.spanId === parent?.spanContext().spanId);
const summary = (span: ReadableSpan | undefined) => [span?.name, span?.attributes];

describe.each(LANES)('OpenTelemetry through createNodeHost ($lane lane)', (laneCase) => {
  const { lane, metered } = laneCase;
  let telemetry: InMemoryTelemetry;
  let host: NodeHost;
  const records: CallRecord[] = [];
  beforeAll(async () => {
    telemetry = registerInMemoryTelemetry();
    host = await openHost(laneCase, records);
  }, 60_000);
  afterAll(async () => {
    await host.close();
    await telemetry.shutdown();
  });

  it('records spans for a command that reads a file, one that is denied, and one that logs', async () => {
    await runScenario(host);
    const spans = telemetry.spans();
    const [read, denied] = telemetry.spansNamed('plinth.call word_count');
    const [greet] = telemetry.spansNamed('plinth.call greet');
    const call = {
      'plinth.plugin.id': NOTES,
      'plinth.plugin.version': '1.0.0',
      'plinth.call.kind': 'command',
      'plinth.call.outcome': 'ok',
      'plinth.lane': lane,
      ...(metered ? { 'plinth.fuel.used': expect.any(Number) } : {}),
    };
    expect(read?.attributes).toEqual({ ...call, 'plinth.call.name': 'word_count' });
    expect(denied?.attributes).toEqual({
      ...call,
      'plinth.call.name': 'word_count',
      'plinth.command.success': false,
      'plinth.command.error_code': 'permission_denied',
    });
    expect(greet?.attributes).toEqual({ ...call, 'plinth.call.name': 'greet' });

    // Host-function spans are children of their call's span, in both lanes.
    const hostCall = {
      'plinth.plugin.id': NOTES,
      'plinth.plugin.version': '1.0.0',
      'plinth.host_function.name': 'host_read_file',
    };
    expect(childrenOf(spans, read).map(summary)).toEqual([
      [
        'plinth.host host_read_file',
        { ...hostCall, 'plinth.host_function.outcome': 'ok', 'plinth.permission.denied': false },
      ],
    ]);
    const [refused] = childrenOf(spans, denied);
    expect(summary(refused)).toEqual([
      'plinth.host host_read_file',
      {
        ...hostCall,
        'plinth.host_function.outcome': 'failure',
        'plinth.permission.denied': true,
        'plinth.permission.type': 'read_files',
        'error.type': 'permission_denied',
      },
    ]);
    expect(refused?.status.code).toBe(SpanStatusCode.ERROR);
    expect(refused?.events.map((event) => [event.name, event.attributes])).toEqual([
      [
        'plinth.permission.denied',
        { 'plinth.permission.type': 'read_files', 'plinth.permission.target': 'Private/b.md' },
      ],
    ]);
    expect(childrenOf(spans, greet).map((span) => span.name)).toEqual(['plinth.host host_log']);
    expect(greet?.events.map((event) => [event.name, event.attributes])).toEqual([
      ['plinth.log', { 'plinth.log.level': 'info', 'plinth.log.message': 'greeting Zoë' }],
    ]);
    // The spans say what the call records say.
    expect(records.map((record) => [record.name, record.lane, record.fuelUsed])).toEqual(
      [read, denied, greet].map((span) => [
        span?.attributes['plinth.call.name'],
        span?.attributes['plinth.lane'],
        span?.attributes['plinth.fuel.used'],
      ]),
    );
  });

  it('counts the calls, their duration and fuel, and the denial', async () => {
    const collected = await telemetry.collect();
    const call = (name: string) => ({
      'plinth.plugin.id': NOTES,
      'plinth.plugin.version': '1.0.0',
      'plinth.call.kind': 'command',
      'plinth.call.name': name,
      'plinth.lane': lane,
    });
    expect(points(collected.get('plinth.plugin.calls'))).toEqual([
      { attributes: call('word_count'), value: 2 },
      { attributes: call('greet'), value: 1 },
    ]);
    expect(points(collected.get('plinth.plugin.call.errors'))).toEqual([]);
    expect(points(collected.get('plinth.plugin.call.duration'))).toEqual([
      { attributes: call('word_count'), value: expect.objectContaining({ count: 2 }) },
      { attributes: call('greet'), value: expect.objectContaining({ count: 1 }) },
    ]);
    const fuelOf = (name: string) =>
      records.filter((record) => record.name === name).map((record) => record.fuelUsed ?? 0);
    const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
    expect(points(collected.get('plinth.plugin.call.fuel'))).toEqual(
      metered
        ? [
            {
              attributes: call('word_count'),
              value: expect.objectContaining({ count: 2, sum: total(fuelOf('word_count')) }),
            },
            {
              attributes: call('greet'),
              value: expect.objectContaining({ count: 1, sum: total(fuelOf('greet')) }),
            },
          ]
        : [],
    );
    expect(points(collected.get('plinth.permission.denials'))).toEqual([
      {
        attributes: {
          'plinth.plugin.id': NOTES,
          'plinth.permission.type': 'read_files',
          'plinth.host_function.name': 'host_read_file',
        },
        value: 1,
      },
    ]);
  });

  it('makes the plugin call a child of the MCP tools/call span, in the trace from params._meta', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const tools = new PluginToolServer({ source: host });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await tools.createServer().connect(serverSide);
    const client = new Client({ name: 'telemetry-test', version: '1.0.0' });
    await client.connect(clientSide);
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    try {
      const result = await client.callTool({
        name: 'plinth-golden_notes__word_count',
        arguments: { path: 'Private/b.md' },
        _meta: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      });
      expect(result.isError).toBe(true);
    } finally {
      await client.close();
      await tools.close();
      propagation.disable();
    }
    const [toolCall] = telemetry.spansNamed('tools/call plinth-golden_notes__word_count');
    expect(toolCall?.spanContext().traceId).toBe(traceId);
    expect(toolCall?.attributes['error.type']).toBe('tool_error');
    const [pluginCall] = childrenOf(telemetry.spans(), toolCall);
    expect(pluginCall?.name).toBe('plinth.call word_count');
    expect(
      childrenOf(telemetry.spans(), pluginCall).map((span) => span.attributes['plinth.permission.denied']),
    ).toEqual([true]);
  });
});

describe.each(LANES)('without an OpenTelemetry provider ($lane lane)', (laneCase) => {
  it('answers the same and still hands call records their lane and fuel', async () => {
    const { lane, metered } = laneCase;
    const records: CallRecord[] = [];
    const host = await openHost(laneCase, records);
    try {
      await runScenario(host);
    } finally {
      await host.close();
    }
    expect(records.map((record) => [record.name, record.outcome, record.lane])).toEqual([
      ['word_count', 'ok', lane],
      ['word_count', 'ok', lane],
      ['greet', 'ok', lane],
    ]);
    expect(records.every((record) => typeof record.fuelUsed === (metered ? 'number' : 'undefined'))).toBe(
      true,
    );
  }, 60_000);
});
