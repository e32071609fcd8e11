import { byId } from './dom.js';
import { describeError } from './page-errors.js';
import type { LoadRequest, PageHost } from './page-host.js';

// The form that loads a plugin from an uploaded file or a URL, or hot-reloads the one with its id.

type Outcome = 'loading' | 'loaded' | 'reloaded' | 'refused';

/** Says how a load went; `data-loads` counts the finished ones, so a reader can tell a new answer. */
function say(box: HTMLElement, outcome: Outcome, text: string): void {
  box.dataset['outcome'] = outcome;
  if (outcome !== 'loading') box.dataset['loads'] = String(Number(box.dataset['loads'] ?? '0') + 1);
  box.textContent = text;
}

/** The form's source, or why there is none. */
async function sourceOf(file: File | undefined, url: string): Promise<LoadRequest['source'] | string> {
  if (file !== undefined && url !== '') return 'Give a module file or a URL, not both.';
  if (file !== undefined) return { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name };
  if (url !== '') return { url };
  return 'Choose a .wasm file, or give the URL of one.';
}

export function wireLoadForm(host: PageHost, afterLoad: () => void): void {
  const form = byId('load-form', HTMLFormElement);
  const fileInput = byId('load-file', HTMLInputElement);
  const urlInput = byId('load-url', HTMLInputElement);
  const pinInput = byId('load-sha256', HTMLInputElement);
  const result = byId('load-result', HTMLParagraphElement);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const pin = pinInput.value.trim();
    void (async () => {
      const source = await sourceOf(fileInput.files?.[0], urlInput.value.trim());
      if (typeof source === 'string') return say(result, 'refused', source);
      const from = 'url' in source ? source.url : `upload ${source.name}`;
      say(result, 'loading', `Loading ${from}…`);
      try {
        const { outcome, info } = await host.load({ source, sha256: pin === '' ? undefined : pin });
        const version = info.version ?? '?';
        say(
          result,
          outcome,
          outcome === 'reloaded'
            ? `Hot-reloaded ${info.id} ${version} from ${from}: the new module serves its calls from now on.`
            : `Loaded ${info.id} ${version} from ${from}.`,
        );
        form.reset();
      } catch (error) {
        say(result, 'refused', `Refused: ${describeError(error)}`);
      } finally {
        afterLoad();
      }
    })();
  });
}
