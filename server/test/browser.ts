// Debian's Chromium driven by playwright-core, for end-to-end tests. The flags
// keep it on loopback: without them Chromium multicasts mDNS for WebRTC's
// `.local` candidates and reaches out to Google's services (docs/development.md#what-npm-test-runs).
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export interface TestBrowser {
  browser: Browser;
  /** A fresh context; tsx's `__name` helper is defined so page.evaluate(fn) works. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Undefined when Chromium is missing: callers skip with that reason. */
export function chromiumMissing(): string | undefined {
  return fs.existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM}`;
}

export async function launchBrowser(): Promise<TestBrowser> {
  // A plain launch runs on a fresh, temporary profile of Playwright's own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  return {
    browser,
    async newContext() {
      const context = await browser.newContext();
      await context.addInitScript('globalThis.__name = (f) => f;');
      return context;
    },
    close: () => browser.close(),
  };
}
