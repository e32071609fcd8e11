import { el } from './dom.js';

/** The workspace's files, with their sizes. */
export function renderFiles(
  list: HTMLUListElement,
  files: readonly { path: string; sizeBytes: number }[],
): void {
  list.replaceChildren(
    ...files.map((file) =>
      el(
        'li',
        { 'data-path': file.path },
        el('code', {}, file.path),
        el('span', { class: 'size' }, `${file.sizeBytes.toLocaleString('en')} bytes`),
      ),
    ),
  );
}
