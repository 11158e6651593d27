// Starts Debian's chromium through playwright-core (no browser download) with
// a fresh profile, and records what a test needs to check: every request the
// page makes, console errors and CSP violations.
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.HOMECTL_CHROMIUM || '/usr/bin/chromium';
export const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Thrown when the browser itself cannot start: the test runner turns it into a skip.
export class BrowserUnavailable extends Error {}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new BrowserUnavailable(`${CHROMIUM} not found (install it: scripts/install-deps.sh --browser)`);
  }
  const profile = await mkdtemp(path.join(os.tmpdir(), 'homectl-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, args: BROWSER_ARGS, headless: true, timeout: 30000,
      viewport: { width: 1280, height: 900 },
    });
  } catch (e) {
    await rm(profile, { recursive: true, force: true });
    throw new BrowserUnavailable(`${CHROMIUM} did not start: ${e.message.split('\n')[0]}`);
  }
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

// Opens `url` in a new page and collects requests, console errors, CSP reports.
export async function openPage(context, url) {
  const page = await context.newPage();
  const seen = { requests: [], errors: [], cspViolations: [] };
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    window.__loadMarker = Math.random(); // survives only while the page is not reloaded
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, seen };
}
