import { html } from 'hono/html';
import type { Notice } from '../security/access.js';

export type Html = ReturnType<typeof html>;

export const PAGES = [
  { path: '/plugins', title: 'Plugins' },
  { path: '/permissions', title: 'Permissions' },
  { path: '/logs', title: 'Logs and events' },
  { path: '/install', title: 'Install' },
] as const;

export type PagePath = (typeof PAGES)[number]['path'];

/** Every page: one stylesheet and one module script from /static (the CSP allows nothing inline). */
export function layout(options: {
  title: string;
  current: PagePath | undefined;
  notice: Notice | undefined;
  body: Html;
}): Html {
  const { notice } = options;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Plinth dashboard</title>
        <link rel="stylesheet" href="/static/dashboard.css" />
        <script type="module" src="/static/dashboard.js"></script>
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="top">
          <p class="brand">Plinth dashboard</p>
          <nav aria-label="Dashboard pages">
            <ul>
              ${PAGES.map(
                (page) =>
                  html`<li>
                    <a href="${page.path}" ${page.path === options.current ? html`aria-current="page"` : ''}
                      >${page.title}</a
                    >
                  </li>`,
              )}
            </ul>
          </nav>
        </header>
        <main id="main" tabindex="-1">
          <h1>${options.title}</h1>
          ${
            notice === undefined
              ? ''
              : html`<p
                  class="notice notice-${notice.kind}"
                  role="${notice.kind === 'error' ? 'alert' : 'status'}"
                >
                  ${notice.text}
                </p>`
          }
          ${options.body}
        </main>
      </body>
    </html>`;
}

/** A page for a refused request: no navigation, since the visitor may not be signed in. */
export function refusalPage(status: number, message: string): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${status} · Plinth dashboard</title>
        <link rel="stylesheet" href="/static/dashboard.css" />
      </head>
      <body>
        <main id="main">
          <h1>${status === 401 ? 'Sign in with the access token' : 'Request refused'}</h1>
          <p role="alert">${message}</p>
        </main>
      </body>
    </html>`;
}

/** The hidden field every POST form carries. */
export const csrfField = (token: string): Html => html`<input type="hidden" name="csrf" value="${token}" />`;

/** A form with one button that POSTs a change (the CSRF token and the given fields ride along). */
export function actionForm(options: {
  action: string;
  csrf: string;
  fields: Record<string, string | undefined>;
  label: string;
  /** Words for screen readers when the visible label is short, e.g. "Reload plinth-golden.c". */
  accessibleLabel?: string;
  method?: 'get' | 'post';
}): Html {
  const method = options.method ?? 'post';
  return html`<form method="${method}" action="${options.action}" class="inline">
    ${method === 'post' ? csrfField(options.csrf) : ''}
    ${Object.entries(options.fields).map(([name, value]) =>
      value === undefined ? '' : html`<input type="hidden" name="${name}" value="${value}" />`,
    )}
    <button type="submit" ${options.accessibleLabel ? html`aria-label="${options.accessibleLabel}"` : ''}>
      ${options.label}
    </button>
  </form>`;
}
