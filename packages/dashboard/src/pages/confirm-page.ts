import { describePermissions } from '@plinth/permissions';
import type { PermissionType } from '@plinth/protocol';
import { html } from 'hono/html';
import { csrfField, type Html } from './layout.js';

/** A change that asks first: what it is and where the user came from. */
export type Confirmation =
  | { action: 'grant' | 'revoke'; plugin: string; permission: PermissionType; scope: string; back: string }
  | { action: 'uninstall' | 'quarantine'; plugin: string; back: string };

function question(confirmation: Confirmation): { text: string; detail: string; button: string } {
  switch (confirmation.action) {
    case 'grant': {
      const { permission, scope } = confirmation;
      const words = describePermissions({ [permission]: { include: [scope], exclude: [] } }).filter(
        (phrase) => permission === 'plugin_storage' || !phrase.startsWith('use plugin storage'),
      );
      return {
        text: `Grant ${permission} on “${scope}” to ${confirmation.plugin}?`,
        detail: `It may then ${words.join('; ') || `use ${permission} on ${scope}`}. The policy file is saved.`,
        button: 'Grant',
      };
    }
    case 'revoke':
      return {
        text: `Revoke ${confirmation.permission} on “${confirmation.scope}” from ${confirmation.plugin}?`,
        detail: 'Its next call that needs it is refused. The policy file is saved.',
        button: 'Revoke',
      };
    case 'uninstall':
      return {
        text: `Uninstall ${confirmation.plugin}?`,
        detail: 'It is shut down and its folder removed. Its policy entry stays, for a reinstall.',
        button: 'Uninstall',
      };
    case 'quarantine':
      return {
        text: `Quarantine ${confirmation.plugin}?`,
        detail: 'Its calls and events are refused until you release it; it stays loaded.',
        button: 'Quarantine',
      };
  }
}

/** The confirmation step: a POST form with the change's fields, and a way back that changes nothing. */
export function confirmPage(confirmation: Confirmation, csrf: string): Html {
  const { text, detail, button } = question(confirmation);
  const hidden = Object.entries(confirmation).filter(([name]) => name !== 'action');
  return html`<form method="post" action="/actions/${confirmation.action}" class="confirm stacked">
    ${csrfField(csrf)}
    <input type="hidden" name="confirmed" value="yes" />
    ${hidden.map(([name, value]) => html`<input type="hidden" name="${name}" value="${String(value)}" />`)}
    <p class="question">${text}</p>
    <p>${detail}</p>
    ${
      confirmation.action === 'quarantine'
        ? html`<label for="quarantine-reason">Reason, optional</label>
            <input id="quarantine-reason" name="reason" maxlength="500" />`
        : ''
    }
    <div class="choices">
      <button type="submit" autofocus>${button}</button>
      <a href="${confirmation.back}">Cancel</a>
    </div>
  </form>`;
}
