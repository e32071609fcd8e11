import type { NodeHostPlugin } from '@plinth/host-node';
import type { PermissionDecision } from '@plinth/permissions';
import { PERMISSION_TYPES, type Policy } from '@plinth/protocol';
import { html } from 'hono/html';
import { actionForm, type Html } from './layout.js';

/** How many denials the page lists, newest first. */
const DENIALS_SHOWN = 100;

const scopeList = (scopes: readonly string[]): Html =>
  html`${scopes.map((scope, index) => html`${index > 0 ? ', ' : ''}<code>${scope}</code>`)}`;

function permissionRows(plugin: NodeHostPlugin, policy: Policy, csrf: string): Html[] {
  const requested = plugin.requestedPermissions;
  const granted = policy.plugins[plugin.id]?.permissions ?? {};
  const types = PERMISSION_TYPES.filter(
    (type) => requested?.defaults[type] !== undefined || granted[type] !== undefined,
  );
  return types.map((type) => {
    const asked = requested?.defaults[type];
    const reason = requested?.reasons[type];
    const rule = granted[type];
    const confirm = (action: 'grant' | 'revoke', scope: string, label: string) =>
      actionForm({
        action: '/confirm',
        method: 'get',
        csrf,
        fields: { action, plugin: plugin.id, permission: type, scope, back: '/permissions' },
        label,
        accessibleLabel: `${label} (${type} for ${plugin.id})`,
      });
    const missing = (asked?.include ?? []).filter((scope) => !(rule?.include ?? []).includes(scope));
    return html`<tr>
      <th scope="row"><code>${type}</code></th>
      <td>
        ${asked === undefined ? '–' : scopeList(asked.include)}
        ${reason === undefined ? '' : html`<br /><span class="reason">“${reason}”</span>`}
      </td>
      <td>
        ${
          rule === undefined
            ? html`<span class="muted">no rule</span>`
            : rule.include.length === 0
              ? html`<span class="muted">no scope</span>`
              : scopeList(rule.include)
        }
        ${rule !== undefined && rule.exclude.length > 0 ? html`<br />except ${scopeList(rule.exclude)}` : ''}
      </td>
      <td>
        <div class="actions">
          ${missing.map((scope) => confirm('grant', scope, `Grant “${scope}”…`))}
          ${(rule?.include ?? []).map((scope) => confirm('revoke', scope, `Revoke “${scope}”…`))}
        </div>
      </td>
    </tr>`;
  });
}

function grantForm(plugin: NodeHostPlugin): Html {
  const id = `grant-${plugin.id}`;
  return html`<form method="get" action="/confirm" class="grant-form">
    <input type="hidden" name="action" value="grant" />
    <input type="hidden" name="plugin" value="${plugin.id}" />
    <input type="hidden" name="back" value="/permissions" />
    <label for="${id}-permission">Permission</label>
    <select id="${id}-permission" name="permission">
      ${PERMISSION_TYPES.map((type) => html`<option value="${type}">${type}</option>`)}
    </select>
    <label for="${id}-scope">Scope</label>
    <input id="${id}-scope" name="scope" required aria-describedby="${id}-hint" />
    <button type="submit">Grant…</button>
    <p id="${id}-hint" class="muted">
      A workspace path, a host name, <code>plugin_id:command</code>, or <code>all</code>.
    </p>
  </form>`;
}

function pluginSection(plugin: NodeHostPlugin, policy: Policy, csrf: string): Html {
  const headingId = `permissions-${plugin.id}`;
  const rows = permissionRows(plugin, policy, csrf);
  return html`<section aria-labelledby="${headingId}" data-plugin="${plugin.id}">
    <h2 id="${headingId}">${plugin.id}</h2>
    <p>
      In words:
      ${plugin.permissionSummary.length === 0 ? 'nothing granted' : plugin.permissionSummary.join('; ')}.
    </p>
    ${
      rows.length === 0
        ? html`<p class="muted">It asks for nothing and is granted nothing.</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">Permission</th>
                <th scope="col">It asks for</th>
                <th scope="col">Granted</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }
    ${grantForm(plugin)}
  </section>`;
}

function denialsTable(denials: readonly PermissionDecision[]): Html {
  const recent = denials.slice(-DENIALS_SHOWN).reverse();
  if (recent.length === 0) return html`<p class="muted" id="no-denials">No denials yet.</p>`;
  return html`<table id="denials">
    <thead>
      <tr>
        <th scope="col">Plugin</th>
        <th scope="col">Host function</th>
        <th scope="col">Permission</th>
        <th scope="col">Target</th>
        <th scope="col">Why</th>
        <th scope="col">What the plugin was told</th>
      </tr>
    </thead>
    <tbody>
      ${recent.map(
        (denial) =>
          html`<tr>
            <td>${denial.pluginId}</td>
            <td>${denial.via === undefined ? '' : html`<code>${denial.via}</code>`}</td>
            <td><code>${denial.permission}</code></td>
            <td><code>${denial.target}</code></td>
            <td>${denial.reason.replaceAll('_', ' ')}</td>
            <td>${denial.message}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** What each plugin asks for (with its reasons) beside what the policy grants, and what was refused. */
export function permissionsPage(options: {
  plugins: readonly NodeHostPlugin[];
  policy: Policy;
  denials: readonly PermissionDecision[];
  csrf: string;
}): Html {
  return html`<section aria-labelledby="recent-denials">
      <h2 id="recent-denials">Recent denials</h2>
      <p class="muted">Newest first; reload the page to see new ones.</p>
      ${denialsTable(options.denials)}
    </section>
    ${options.plugins.map((plugin) => pluginSection(plugin, options.policy, options.csrf))}`;
}
