import { el } from './dom.js';

// Any script error the page did not handle is shown at the top of the page (and in the console), so a
// broken demo says so instead of sitting half-loaded.

/** An error in words: `[code] message` for a PlinthError, the message for any other error. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? `[${code}] ` : ''}${error.message}`;
  }
  return String(error);
}

/** Shows an error in the page's alert box. */
export function showPageError(what: string, error: unknown): void {
  const box = document.getElementById('page-error');
  const line = `${what}: ${describeError(error)}`;
  console.error(line, error);
  if (box === null) return;
  box.hidden = false;
  box.append(el('p', {}, line));
}

/** From now on, uncaught errors and unhandled rejections reach the alert box. */
export function reportUncaughtErrors(): void {
  window.addEventListener('error', (event) => showPageError('Script error', event.error ?? event.message));
  window.addEventListener('unhandledrejection', (event) =>
    showPageError('Unhandled rejection', event.reason),
  );
}
