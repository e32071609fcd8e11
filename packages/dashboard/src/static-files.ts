import { readFileSync } from 'node:fs';

/** The files under the package's static/ folder the pages load; nothing else there is served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  'dashboard.css': 'text/css; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
};

export interface StaticFile {
  body: string;
  contentType: string;
}

/** Read once, when a dashboard is made; src/ and dist/ both sit beside static/. */
export function loadStaticFiles(): ReadonlyMap<string, StaticFile> {
  const dir = new URL('../static/', import.meta.url);
  return new Map(
    Object.entries(CONTENT_TYPES).map(([name, contentType]) => [
      name,
      { body: readFileSync(new URL(name, dir), 'utf8'), contentType },
    ]),
  );
}
