import { afterAll } from 'vitest';

/** `RELIABILITY_LONG=1` runs the long versions; anything else (CI, `pnpm test`) the short, bounded ones. */
export const LONG = process.env['RELIABILITY_LONG'] === '1';

/** The size to use in this run. */
export const size = <T>(sizes: { short: T; long: T }): T => (LONG ? sizes.long : sizes.short);

export type FigureFields = Record<string, string | number>;

/** `reliability: <suite> key=value …`, the one line each suite ends with. */
export const figureLine = (suite: string, fields: FigureFields): string =>
  `reliability: ${[suite, ...Object.entries(fields).map(([key, value]) => `${key}=${value}`)].join(' ')}`;

/**
 * Prints the suite's figure once every test of the file has run, failed or not, so it is the file's last
 * line of output. `fields` is read then: pass a function over the counters the tests fill in.
 */
export function printFigureLast(suite: string, fields: () => FigureFields): void {
  afterAll(() => {
    console.log(figureLine(suite, fields()));
  });
}
