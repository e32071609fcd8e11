import { mayWords } from '../src/permission-words.js';
import { parseParams } from '../src/json-params.js';
import { byId, el } from './dom.js';
import type { PageHost, PluginView } from './page-host.js';
import { describeError, showPageError } from './page-errors.js';

// The form that runs a command: plugin, command, JSON params; the answer, a denial or a failure below it.

type Outcome = 'ok' | 'denied' | 'failed';

/** Shows one answer; `data-runs` counts the answers shown, so a reader can tell a new one from the last. */
function show(box: HTMLElement, outcome: Outcome, heading: string, ...body: Node[]): void {
  box.dataset['outcome'] = outcome;
  box.dataset['runs'] = String(Number(box.dataset['runs'] ?? '0') + 1);
  box.dataset['saved'] = 'false';
  box.className = `result result-${outcome}`;
  box.replaceChildren(el('h3', {}, heading), ...body);
}

/** One command to run, as the form holds it. */
interface RunCall {
  pluginId: string;
  command: string;
  params: string;
}

async function run(
  host: PageHost,
  plugins: readonly PluginView[],
  box: HTMLElement,
  call: RunCall,
): Promise<void> {
  const params = parseParams(call.params.trim() === '' ? undefined : call.params);
  if (!params.ok) return show(box, 'failed', 'The params are not usable JSON', el('pre', {}, params.message));
  box.dataset['outcome'] = 'running';
  let answer: Awaited<ReturnType<PageHost['command']>>;
  try {
    answer = await host.command(call.pluginId, call.command, params.value);
  } catch (error) {
    // Not a guest's answer: a limit, a trap, an unknown command or a quarantined plugin.
    return show(box, 'failed', 'Failed', el('p', { class: 'message' }, describeError(error)));
  }
  const { response, receipt } = answer;
  const fuel = receipt.fuelUsed === undefined ? '' : ` · ${receipt.fuelUsed.toLocaleString('en')} fuel`;
  const summary = el('p', { class: 'summary' }, `${call.pluginId} ${call.command}${fuel}`);
  if (response.success) {
    show(box, 'ok', 'Result', summary, el('pre', {}, JSON.stringify(response.data ?? null, null, 2)));
  } else if (response.error_code === 'permission_denied') {
    const may = plugins.find((plugin) => plugin.id === call.pluginId)?.may ?? [];
    show(
      box,
      'denied',
      'Denied by the policy',
      summary,
      el('p', { class: 'message' }, response.error ?? 'permission denied'),
      el(
        'p',
        { class: 'hint' },
        `The sample policy (notes/README.md front matter) does not grant this. ${call.pluginId} may: ${mayWords(may)}.`,
      ),
    );
  } else {
    const code = response.error_code ? ` [${response.error_code}]` : '';
    show(
      box,
      'failed',
      `Failed${code}`,
      summary,
      el('p', { class: 'message' }, response.error ?? 'no message'),
    );
  }
  // What the command wrote is answered from memory at once and saved behind it; say when it is saved.
  const runs = box.dataset['runs'];
  await host.settled();
  if (box.dataset['runs'] !== runs) return;
  box.dataset['saved'] = 'true';
  box.append(el('p', { class: 'saved' }, 'Every change is saved to the workspace folder and IndexedDB.'));
}

export interface RunForm {
  /** Refills the plugin and command choices, keeping what is chosen when it is still there. */
  update(plugins: readonly PluginView[]): void;
}

export function wireRunForm(host: PageHost, afterRun: () => void): RunForm {
  const form = byId('run-form', HTMLFormElement);
  const pluginSelect = byId('run-plugin', HTMLSelectElement);
  const commandSelect = byId('run-command', HTMLSelectElement);
  const paramsInput = byId('run-params', HTMLTextAreaElement);
  const result = byId('run-result', HTMLDivElement);
  let plugins: readonly PluginView[] = [];

  const fillCommands = () => {
    const chosen = commandSelect.value;
    const commands = plugins.find((plugin) => plugin.id === pluginSelect.value)?.manifest?.commands ?? [];
    commandSelect.replaceChildren(...commands.map((command) => el('option', { value: command }, command)));
    if (commands.includes(chosen)) commandSelect.value = chosen;
  };
  pluginSelect.addEventListener('change', fillCommands);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const call = { pluginId: pluginSelect.value, command: commandSelect.value, params: paramsInput.value };
    run(host, plugins, result, call)
      .catch((error: unknown) => showPageError('Saving failed', error))
      .finally(afterRun);
  });

  return {
    update(next) {
      plugins = next;
      const chosen = pluginSelect.value;
      const active = next.filter((plugin) => plugin.state === 'active');
      pluginSelect.replaceChildren(...active.map((plugin) => el('option', { value: plugin.id }, plugin.id)));
      if (active.some((plugin) => plugin.id === chosen)) pluginSelect.value = chosen;
      fillCommands();
    },
  };
}
