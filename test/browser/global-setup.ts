import { existsSync } from 'node:fs';

/** Where Debian's chromium package puts its launcher. */
export const CHROMIUM = '/usr/bin/chromium';

export default function setup(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser test project needs Debian's chromium at ${CHROMIUM}: run scripts/bootstrap-chromium.sh (apt-get install chromium)`,
    );
  }
}
