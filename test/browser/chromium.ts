import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { CHROMIUM } from './global-setup.js';

/** Headless Chromium with one page, and what went wrong in that page that no test asked for. */
export interface WatchedPage {
  browser: Browser;
  page: Page;
  /** Script errors and console errors the page reported, except those `expected` lets through. */
  problems: string[];
}

/**
 * Launches Debian's Chromium (as root it needs --no-sandbox) with one page whose script errors and console
 * errors are recorded; `expected` names console errors a test provokes on purpose.
 */
export async function openWatchedPage(
  options: {
    viewport?: { width: number; height: number };
    expected?: (message: ConsoleMessage) => boolean;
  } = {},
): Promise<WatchedPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage(options.viewport === undefined ? {} : { viewport: options.viewport });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && options.expected?.(message) !== true)
      problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  return { browser, page, problems };
}
