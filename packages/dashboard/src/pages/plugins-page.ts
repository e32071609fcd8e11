import type { NodeHostPlugin } from '@plinth/host-node';
import { html } from 'hono/html';
import type { CallSummary } from '../observe/call-stats.js';
import { actionForm, type Html } from './layout.js';
import { formatBytes, formatCount, formatMs, sparkline } from './sparkline.js';

export interface PluginRow {
  plugin: NodeHostPlugin;
  calls: CallSummary;
}

function signatureText(plugin: NodeHostPlugin): string {
  const { signature } = plugin;
  if (signature === undefined) return 'not checked yet';
  return signature.state === 'signed' ? `signed by ${signature.keyName}` : 'unsigned';
}

function laneText(plugin: NodeHostPlugin): string {
  const { lane } = plugin;
  if (lane === undefined) return '–';
  return `${lane.kind}${lane.metered ? ', metered' : ''}`;
}

function actions(plugin: NodeHostPlugin, csrf: string): Html {
  const fields = { plugin: plugin.id, back: '/plugins' };
  const quarantined = plugin.state === 'quarantined';
  return html`<div class="actions">
    ${actionForm({ action: '/actions/reload', csrf, fields, label: 'Reload', accessibleLabel: `Reload ${plugin.id}` })}
    ${
      quarantined
        ? actionForm({
            action: '/actions/release',
            csrf,
            fields,
            label: 'Release',
            accessibleLabel: `Release ${plugin.id}`,
          })
        : actionForm({
            action: '/confirm',
            method: 'get',
            csrf,
            fields: { ...fields, action: 'quarantine' },
            label: 'Quarantine…',
            accessibleLabel: `Quarantine ${plugin.id}…`,
          })
    }
    ${actionForm({
      action: '/confirm',
      method: 'get',
      csrf,
      fields: { ...fields, action: 'uninstall' },
      label: 'Uninstall…',
      accessibleLabel: `Uninstall ${plugin.id}…`,
    })}
  </div>`;
}

function row({ plugin, calls }: PluginRow, csrf: string): Html {
  const name = plugin.manifest?.name;
  return html`<tr data-plugin="${plugin.id}">
    <th scope="row">
      <span class="plugin-id">${plugin.id}</span>
      ${name === undefined ? '' : html`<br /><span class="muted">${name}</span>`}
    </th>
    <td>${plugin.version ?? '–'}</td>
    <td>
      <span class="state state-${plugin.state}">${plugin.state}</span>
      ${plugin.error === undefined ? '' : html`<br /><span class="muted">${plugin.error.message}</span>`}
    </td>
    <td>${laneText(plugin)}</td>
    <td>${plugin.sha256 === undefined ? '–' : html`<code class="hash">${plugin.sha256}</code>`}</td>
    <td>${signatureText(plugin)}</td>
    <td class="number">${formatCount(calls.calls)}</td>
    <td class="number">${formatCount(calls.errors)}</td>
    <td class="number">${formatMs(calls.p50Ms)} / ${formatMs(calls.p95Ms)}</td>
    <td class="number">${formatCount(calls.p50Fuel)} / ${formatCount(calls.p95Fuel)}</td>
    <td class="number">${formatBytes(plugin.memoryBytes)}</td>
    <td>${sparkline(calls.recentMs, `Call durations of ${plugin.id}`)}</td>
    <td>${actions(plugin, csrf)}</td>
  </tr>`;
}

/** The plugins the host runs, with what the dashboard has measured of their calls since it started. */
export function pluginsPage(rows: readonly PluginRow[], csrf: string): Html {
  if (rows.length === 0) {
    return html`<p>No plugin is loaded. <a href="/install">Install one</a>.</p>`;
  }
  return html`<p class="muted">
      Calls, errors, latency and fuel count the calls made since this dashboard started; percentiles are over
      each plugin's last 200 calls (fuel only for metered plugins). Memory is the guest's linear memory
      (isolated plugins: as their last call left it).
    </p>
    <div class="table-scroll" tabindex="0" role="region" aria-label="Plugins table">
      <table>
        <thead>
          <tr>
            <th scope="col">Plugin</th>
            <th scope="col">Version</th>
            <th scope="col">State</th>
            <th scope="col">Lane</th>
            <th scope="col">Module sha256</th>
            <th scope="col">Signature</th>
            <th scope="col">Calls</th>
            <th scope="col">Errors</th>
            <th scope="col">Latency p50 / p95</th>
            <th scope="col">Fuel p50 / p95</th>
            <th scope="col">Memory</th>
            <th scope="col">Recent calls</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map((entry) => row(entry, csrf))}
        </tbody>
      </table>
    </div>`;
}
