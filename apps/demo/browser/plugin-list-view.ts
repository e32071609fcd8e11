import { askLines, mayWords } from '../src/permission-words.js';
import { el } from './dom.js';
import type { PluginView } from './page-host.js';

// The plugin list: what the CLI's `list` says of each plugin, as cards.

function row(term: string, field: string, ...details: (Node | string)[]): Node[] {
  return [el('dt', {}, term), el('dd', { class: field }, ...details)];
}

function moduleWords(plugin: PluginView): Node[] {
  const origin = plugin.module;
  if (origin === undefined) return row('Module', 'module', 'unknown');
  const sha = origin.sha256;
  return row(
    'Module',
    'module',
    `from ${origin.from}, `,
    sha === undefined
      ? 'not pinned'
      : el('code', { class: 'sha256', title: sha, 'data-sha256': sha }, `sha256 ${sha.slice(0, 16)}…`),
    origin.pinned ? ' (pinned)' : '',
  );
}

function pluginCard(plugin: PluginView): HTMLElement {
  const headingId = `plugin-${plugin.id.replace(/[^\w-]/g, '-')}`;
  const manifest = plugin.manifest;
  const asks = plugin.notGranted ? askLines(plugin.notGranted) : [];
  return el(
    'article',
    { class: 'plugin', 'data-plugin': plugin.id, 'data-state': plugin.state, 'aria-labelledby': headingId },
    el(
      'header',
      {},
      el('h3', { id: headingId }, plugin.id),
      el('span', { class: 'version' }, plugin.version ?? '?'),
      el('span', { class: `state state-${plugin.state}` }, plugin.state),
    ),
    manifest ? el('p', { class: 'name' }, manifest.name) : null,
    el(
      'dl',
      {},
      ...row('Commands', 'commands', manifest?.commands.join(', ') || '(none)'),
      ...row('Runs', 'lane', plugin.lane),
      ...row('May', 'may', mayWords(plugin.may)),
      ...(asks.length > 0
        ? row('Asks to (not granted)', 'asks', el('ul', {}, ...asks.map((line) => el('li', {}, line))))
        : []),
      ...moduleWords(plugin),
      ...(plugin.error ? row('Error', 'error', `[${plugin.error.code}] ${plugin.error.message}`) : []),
    ),
  );
}

export function renderPlugins(container: HTMLElement, plugins: readonly PluginView[]): void {
  container.replaceChildren(
    ...(plugins.length === 0 ? [el('p', {}, 'No plugins loaded.')] : plugins.map(pluginCard)),
  );
}
