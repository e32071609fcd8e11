import { openIndexedDbStores } from '@plinth/host-browser';
import { byId } from './dom.js';
import { appendFeed } from './feed-view.js';
import { renderFiles } from './files-view.js';
import { wireLoadForm } from './load-form.js';
import { PageHost } from './page-host.js';
import { reportUncaughtErrors, showPageError } from './page-errors.js';
import { renderPlugins } from './plugin-list-view.js';
import { wireRunForm } from './run-form.js';
import { fetchServerData } from './server-data.js';
import { openWorkspace, WORKSPACE_PATH, workspaceFiles } from './workspace.js';

// The browser demo: the notes sample's plugins in this page, over a workspace in the origin-private file
// system and storage in IndexedDB, with the sample README's policy.

reportUncaughtErrors();

const status = byId('status', HTMLParagraphElement);
function setStatus(state: 'starting' | 'ready' | 'failed', text: string): void {
  status.dataset['state'] = state;
  status.textContent = text;
}

function showIsolation(): void {
  const isolation = byId('isolation', HTMLSpanElement);
  isolation.dataset['isolated'] = String(crossOriginIsolated);
  isolation.textContent = crossOriginIsolated
    ? 'cross-origin isolated (SharedArrayBuffer is available)'
    : 'not cross-origin isolated (the server sent no COOP/COEP headers)';
}

async function start(): Promise<void> {
  showIsolation();
  setStatus('starting', 'Fetching the sample from the server…');
  const server = await fetchServerData();
  setStatus('starting', 'Opening the workspace and plugin storage…');
  const persistenceFailed = (error: Error) => showPageError('Saving failed', error);
  const workspace = await openWorkspace(server.notes, persistenceFailed);
  const stores = await openIndexedDbStores({ name: 'plinth-demo', onPersistenceFailure: persistenceFailed });

  const feed = byId('feed', HTMLOListElement);
  const pluginList = byId('plugins', HTMLDivElement);
  const fileList = byId('files', HTMLUListElement);
  let refreshing = false;
  // Many changes can land in one turn (a reload, a burst of file events): draw once after them.
  const refresh = () => {
    if (refreshing) return;
    refreshing = true;
    queueMicrotask(() => {
      refreshing = false;
      const plugins = host.plugins();
      renderPlugins(pluginList, plugins);
      runForm.update(plugins);
      renderFiles(fileList, workspaceFiles(workspace.files));
    });
  };
  const host = new PageHost({
    policy: server.policy,
    files: workspace.files,
    stores,
    workspaceRoot: `/${WORKSPACE_PATH.join('/')}`,
    onFeed: (entry) => appendFeed(feed, entry),
    onChange: refresh,
  });
  const runForm = wireRunForm(host, refresh);
  wireLoadForm(host, refresh);
  refresh();

  let loaded = 0;
  for (const [index, plugin] of server.plugins.entries()) {
    setStatus('starting', `Loading ${plugin.id} (${index + 1}/${server.plugins.length})…`);
    try {
      await host.load({ source: { url: plugin.url }, sha256: plugin.sha256, expectedId: plugin.id });
      loaded += 1;
    } catch (error) {
      // One plugin that does not load leaves the others running, as on the Node host.
      appendFeed(feed, {
        kind: 'log',
        source: 'host',
        level: 'error',
        pluginId: plugin.id,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const opened =
    workspace.seeded > 0 ? `seeded with ${workspace.seeded} sample notes` : 'as the last visit left it';
  setStatus(
    'ready',
    `Ready: ${loaded} of ${server.plugins.length} plugins loaded over HTTP, each pinned to the sha256 the server lists. ` +
      `Workspace ${opened}; policy from ${server.policySource}.`,
  );
}

start().catch((error: unknown) => {
  setStatus('failed', 'The demo could not start; see the error above.');
  showPageError('Starting the demo failed', error);
});
