/**
 * Real Chromium for the UI tests and the screenshots: Debian's /usr/bin/chromium driven by
 * playwright-core, headless, no network beyond loopback, a fresh profile per launch (removed on close),
 * and a phone-sized context by default.
 *
 * @example
 *   const b = await launchChromium();
 *   const page = await b.phone();
 *   await b.close();
 */
import { chromium, type BrowserContextOptions, type Page } from 'playwright-core';
import { liveServer, type LiveServer, type LiveServerOptions } from './live-server.js';

export const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';

/** A cheap Android phone: 360×740 CSS px, touch. */
export const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-US' };

export async function launchChromium() {
  // playwright's launch() starts Chromium on a fresh temporary --user-data-dir of its own and deletes it on
  // close (it refuses a second --user-data-dir); contexts inside it are isolated like new profiles.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    /** A fresh phone-sized context and page (own cookies, JavaScript on unless told otherwise). */
    async phone(opts: BrowserContextOptions = {}) {
      const context = await browser.newContext({ ...PHONE, ...opts });
      context.setDefaultTimeout(6000);
      return context.newPage();
    },
    async desktop(opts: BrowserContextOptions = {}) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US', ...opts });
      return context.newPage();
    },
    async close() {
      await browser.close();
    },
  };
}

/**
 * Signs in to the console at `baseUrl` (a live server's url) as `name` and waits for the page it lands
 * on: the h1 with that text, or the element when `until` starts with '#'.
 */
export async function consoleSignIn(page: Page, baseUrl: string, name: string, password: string, until = 'Dashboard'): Promise<void> {
  await page.goto(baseUrl + 'admin');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await (until.startsWith('#') ? page.locator(until) : page.locator('h1', { hasText: until })).waitFor();
}

/**
 * The console suites' fixture: a live server and Chromium side by side, a desktop page with a 6 s
 * timeout, `setup` (plans, operators, routes) before the admin signs in, and the admin signed in.
 */
export async function openConsole(opts: LiveServerOptions = { downBps: 0 }, setup?: (s: LiveServer, page: Page) => Promise<void> | void) {
  const [s, b] = await Promise.all([liveServer(opts), launchChromium()]);
  const page = await b.desktop();
  page.context().setDefaultTimeout(6000);
  await setup?.(s, page);
  await consoleSignIn(page, s.url, 'admin', s.adminPassword);
  return { s, b, page };
}
