// The status page in a real chromium against the real `homectl serve`, whose
// sources point at fake upstreams on 127.0.0.1 that this test controls.
// Usage: node page_daemon.test.mjs <homectl-binary>
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { copyFile, mkdir, mkdtemp, open as openFile, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, openPage } from './browser.mjs';
import { ARTIFACTS, EXIT_SKIP, saveScreenshot, skipIfNoBrowser } from './runner.mjs';

const BINARY = process.argv[2] || process.env.HOMECTL_BINARY;
const TOKEN = 'status-page-test-token';
const SOURCES = ['alpha', 'beta', 'gamma'];

if (!BINARY) {
  console.error('usage: node page_daemon.test.mjs <homectl-binary>');
  process.exit(2);
}
if (spawnSync(BINARY, ['serve', '--help'], { stdio: 'ignore' }).status !== 0) {
  console.log(`SKIP: ${BINARY} has no 'serve' command in this build`);
  process.exit(EXIT_SKIP);
}

// ------------------------------------------------------------ fake upstreams
// Each source is one path; the test sets its status and body and counts hits.
async function startUpstream() {
  const answers = new Map(SOURCES.map((name) => [name, { status: 200, body: { name, version: 1 } }]));
  answers.set('gamma', { status: 500, body: { error: 'gamma is broken' } });
  const hits = new Map(SOURCES.map((name) => [name, 0]));
  const server = createServer((req, res) => {
    const name = req.url.slice(1);
    const answer = answers.get(name);
    if (!answer) {
      res.writeHead(404).end();
      return;
    }
    hits.set(name, hits.get(name) + 1);
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    set: (name, status, body) => answers.set(name, { status, body }),
    hits: (name) => hits.get(name),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ------------------------------------------------------------ the daemon
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitFor(what, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await fn()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

// Starts `homectl serve` with `config` on a free loopback port and waits for /live.
async function startDaemon(name, config) {
  const dir = await mkdtemp(path.join(os.tmpdir(), `homectl-web-${name}-`));
  const port = await freePort();
  const file = path.join(dir, 'homectl.json');
  await writeFile(file, JSON.stringify({ ...config, server: { listen: `127.0.0.1:${port}`, ...config.server } }, null, 2));
  await mkdir(ARTIFACTS, { recursive: true });
  const logPath = path.join(ARTIFACTS, `daemon-${name}.log`);
  const log = await openFile(logPath, 'w');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOMECTL_')));
  const child = spawn(BINARY, ['serve', '--config', file], { env, stdio: ['ignore', log.fd, log.fd] });
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/live`, async () => {
      if (exited) throw new Error(`homectl serve exited (${JSON.stringify(exited)})`);
      return (await fetch(`${url}/live`)).ok;
    }, 20000);
  } catch (e) {
    child.kill('SIGKILL');
    const tail = (await readFile(logPath, 'utf8')).split('\n').slice(-20).join('\n');
    throw new Error(`${e.message}\n--- ${logPath} ---\n${tail}`);
  }
  return {
    url,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await waitFor('homectl serve to exit after SIGTERM', () => exited != null, 15000).catch(() => child.kill('SIGKILL'));
      }
      await log.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function daemonConfig(upstreamUrl, extra = {}) {
  return {
    log: { level: 'warn' },
    defaults: { ttl: '1h', refresh: '1h', timeout: '2s', retries: 0, breaker_failures: 50 },
    sources: Object.fromEntries(SOURCES.map((name) => [name, { url: `${upstreamUrl}/${name}` }])),
    ...extra,
  };
}

// ------------------------------------------------------------ the tests
let browser;
let upstream;
let daemon;
let sourcesApi = true; // false while the build has no /v1/sources

before(async () => {
  browser = await skipIfNoBrowser(launchBrowser);
  upstream = await startUpstream();
  daemon = await startDaemon('main', daemonConfig(upstream.url, { server: { api_token: TOKEN } }));
  sourcesApi = (await fetch(`${daemon.url}/v1/sources`)).status !== 404;
});
// Tests that need the sources API skip without it; the whole run then exits
// EXIT_SKIP (ctest: skipped) unless something else failed.
function needsSources(t) {
  if (!sourcesApi) t.skip('this build of homectl has no /v1/sources');
  return sourcesApi;
}
process.on('exit', (code) => {
  if (!code && !sourcesApi) {
    console.log('SKIP: this build of homectl serves no /v1/sources yet; page, headers and server.ui were tested');
    process.exitCode = EXIT_SKIP;
  }
});
after(async () => {
  await browser?.close();
  await daemon?.stop();
  await upstream?.close();
});

const card = (name) => `.card[data-source="${name}"]`;
const barCount = (page, name) => page.locator(`${card(name)} .sparkline rect`).count();

async function refreshViaApi(name) {
  const r = await fetch(`${daemon.url}/v1/sources/${name}/refresh?wait=5s`, {
    method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` },
  });
  assert.ok(r.status === 200 || r.status === 202, `refresh ${name}: HTTP ${r.status}`);
}

async function openSettledPage() {
  const opened = await openPage(browser.context, `${daemon.url}/`);
  const { page } = opened;
  await page.waitForSelector('#live[data-state="open"]', { timeout: 10000 });
  for (const [name, state] of [['alpha', 'fresh'], ['beta', 'fresh'], ['gamma', 'error']]) {
    await page.waitForSelector(`${card(name)}[data-state="${state}"]`, { timeout: 15000 });
  }
  return opened;
}

test('serves the page with its content type, CSP, ETag and 304', async () => {
  const r = await fetch(`${daemon.url}/`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(r.headers.get('content-security-policy'), /^default-src 'none'; script-src 'self'/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  const etag = r.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  assert.match(await r.text(), /^<!doctype html>/);
  const again = await fetch(`${daemon.url}/`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const script = await fetch(`${daemon.url}/app.js`);
  assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.notEqual(script.headers.get('etag'), etag);
});

test('lists every source with its state, and a failing upstream shows its error', async (t) => {
  if (!needsSources(t)) return;
  const { page, seen } = await openSettledPage();
  assert.deepEqual(await page.locator('.card h3').allTextContents(), SOURCES);
  assert.equal(await page.textContent(`${card('alpha')} .state-text`), 'fresh');
  assert.equal(await page.textContent(`${card('gamma')} .state-text`), 'error');
  assert.ok(await page.isVisible(`${card('gamma')} .last-error`));
  assert.notEqual((await page.textContent(`${card('gamma')} .last-error`)).trim(), '');
  await page.waitForSelector(`${card('alpha')} .sparkline rect`, { timeout: 5000 });
  assert.match(await page.textContent('#version'), /^\d+\.\d+\.\d+/);
  assert.ok(['pass', 'warn', 'fail'].includes(await page.getAttribute('#overall', 'data-status')));
  // Nothing loaded from outside the daemon, no CSP violation, no script error.
  assert.deepEqual(seen.requests.filter((u) => !u.startsWith(daemon.url)), []);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(seen.errors.filter((e) => !/401/.test(e)), []);
  await page.close();
});

test('new upstream content, once refreshed, shows up without a reload', async (t) => {
  if (!needsSources(t)) return;
  const { page } = await openSettledPage();
  const marker = await page.evaluate(() => window.__loadMarker);
  const bars = await barCount(page, 'alpha');
  upstream.set('alpha', 200, { name: 'alpha', version: 2 });
  await refreshViaApi('alpha');
  const body = await (await fetch(`${daemon.url}/v1/sources/alpha`)).json();
  assert.equal(body.version, 2, 'the daemon serves the new content');
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length > n,
    [`${card('alpha')} .sparkline rect`, bars], { timeout: 10000 });
  assert.match(await page.textContent(`${card('alpha')} .last-success`), /^\d+ s ago$/);
  assert.equal(await page.evaluate(() => window.__loadMarker), marker, 'the page reloaded');
  await page.close();
});

test('an upstream that starts failing shows its error on the page', async (t) => {
  if (!needsSources(t)) return;
  const { page } = await openSettledPage();
  assert.ok(!(await page.isVisible(`${card('beta')} .last-error`)));
  upstream.set('beta', 503, { error: 'maintenance' });
  await refreshViaApi('beta');
  await page.waitForSelector(`${card('beta')} .error-row:not([hidden])`, { timeout: 10000 });
  assert.notEqual((await page.textContent(`${card('beta')} .last-error`)).trim(), '');
  await page.waitForSelector(`${card('beta')} .sparkline rect:last-child:not(.ok)`, { timeout: 10000 });
  upstream.set('beta', 200, { name: 'beta', version: 1 });
  await page.close();
});

test('the refresh button refreshes the source (asking for the token)', async (t) => {
  if (!needsSources(t)) return;
  const { page } = await openSettledPage();
  const hitsBefore = upstream.hits('alpha');
  await page.click(`${card('alpha')} .refresh`);
  await page.waitForSelector('#token-dialog[open]', { timeout: 5000 });
  await page.fill('#token-input', TOKEN);
  await page.keyboard.press('Enter');
  await waitFor('the upstream to be fetched', () => upstream.hits('alpha') > hitsBefore, 10000);
  await page.waitForFunction((sel) => /^Refresh(ed| started)/.test(document.querySelector(sel).textContent),
    `${card('alpha')} .refresh-result`, { timeout: 10000 });
  await page.close();
});

test('screenshots at desktop and phone width', async (t) => {
  if (!needsSources(t)) return;
  // Let gamma fail a few more times so its sparkline shows it.
  for (let i = 0; i < 3; ++i) await refreshViaApi('gamma');
  const { page } = await openSettledPage();
  await page.waitForSelector(`${card('gamma')} .sparkline rect`, { timeout: 5000 });
  await page.waitForLoadState('networkidle').catch(() => {});
  const desktop = await saveScreenshot(page, 'status-page-desktop.png');
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than a phone`);
  await saveScreenshot(page, 'status-page-phone.png');
  if (process.env.HOMECTL_DOCS_SCREENSHOT) {
    await copyFile(desktop, process.env.HOMECTL_DOCS_SCREENSHOT);
    console.log(`copied to ${process.env.HOMECTL_DOCS_SCREENSHOT}`);
  }
  await page.close();
});

test('server.ui=false turns the page off', async () => {
  const quiet = await startDaemon('no-ui', daemonConfig(upstream.url, { server: { ui: false } }));
  try {
    for (const p of ['/', '/app.js', '/app.css']) {
      assert.equal((await fetch(`${quiet.url}${p}`)).status, 404, p);
    }
    assert.equal((await fetch(`${quiet.url}/live`)).status, 200);
  } finally {
    await quiet.stop();
  }
});
