// The status page's own behaviour in a real chromium, against the mock daemon
// (whose answers the test controls): rendering, live updates, the reconnect
// banner, the token prompt, keyboard reach, phone width and dark mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMockDaemon } from './mock_daemon.mjs';
import { launchBrowser, openPage } from './browser.mjs';
import { skipIfNoBrowser, saveScreenshot } from './runner.mjs';

const TOKEN = 'let-me-in';
let mock;
let browser;

before(async () => {
  browser = await skipIfNoBrowser(launchBrowser);
  mock = await startMockDaemon({ token: TOKEN });
});
after(async () => {
  await browser?.close();
  await mock?.close();
});

const card = (name) => `.card[data-source="${name}"]`;

async function open() {
  const opened = await openPage(browser.context, `${mock.url}/`);
  await opened.page.waitForSelector(`${card('weather')} .spark-caption:not(:empty)`, { timeout: 10000 });
  await opened.page.waitForSelector('#live[data-state="open"]', { timeout: 10000 });
  return opened;
}

test('lists every source with its state in colour and text', async () => {
  const { page, seen } = await open();
  for (const [name, state] of [['weather', 'fresh'], ['plug', 'error'], ['prices', 'stale'], ['calendar', 'empty']]) {
    assert.equal(await page.getAttribute(card(name), 'data-state'), state, name);
    assert.equal(await page.textContent(`${card(name)} .state-text`), state, name);
  }
  assert.equal(await page.locator('.card').count(), 4);
  assert.match(await page.textContent(`${card('plug')} .last-error`), /timed out after 2s/);
  assert.equal(await page.textContent(`${card('plug')} .breaker`), 'open');
  // A source's values, name and number, in name order; none, no list.
  assert.deepEqual(await page.locator(`${card('weather')} .values dt`).allTextContents(),
    ['is_day', 'temperature']);
  assert.equal(await page.textContent(`${card('weather')} .values dd.value >> nth=1`), '21.5');
  assert.equal(await page.isHidden(`${card('plug')} .values`), true);
  assert.match(await page.textContent(`${card('weather')} .age`), /^\d+ s \/ 15 min$/);
  assert.match(await page.textContent(`${card('plug')} .spark-caption`), /Last 60 fetches: 51 ok, 9 failed/);
  assert.equal(await page.locator(`${card('plug')} .sparkline rect`).count(), 60);
  assert.equal(await page.textContent(`${card('calendar')} .spark-caption`), 'No fetches yet');
  // Overview: health, version, uptime, Redis, request rate, hit ratio.
  assert.equal(await page.getAttribute('#overall', 'data-status'), 'warn');
  assert.equal(await page.textContent('#overall-badge'), 'warn');
  assert.equal(await page.textContent('#version'), '0.1.0');
  assert.equal(await page.textContent('#uptime'), '3 h 12 min');
  assert.match(await page.textContent('#redis'), /degraded \(reconnecting\)/);
  assert.deepEqual(await page.locator('#checks li').allTextContents(), ['redis:connection: warn', 'source:plug: fail']);
  assert.equal(await page.textContent('#hit-ratio'), '95.0 %');
  assert.match(await page.textContent('#request-rate'), /^\d+ total$|\/s$/);
  // Nothing but the daemon, no CSP violations, no script errors.
  assert.deepEqual(seen.requests.filter((u) => !u.startsWith(mock.url)), []);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('an event updates the card in place without a reload', async () => {
  const { page } = await open();
  const marker = await page.evaluate(() => window.__loadMarker);
  mock.state.sources[2] = { ...mock.state.sources[2], state: 'fresh', age_s: 1 };
  mock.emit('source.updated', { source: 'prices', etag: '"v2"' });
  await page.waitForSelector(`${card('prices')}[data-state="fresh"]`, { timeout: 5000 });
  mock.state.sources[0] = { ...mock.state.sources[0], state: 'error',
    last_error: { message: 'upstream answered 500', at: new Date().toISOString() } };
  const health = mock.state.health;
  mock.state.health = { ...health, status: 'fail' };
  mock.emit('source.failed', { source: 'weather' });
  await page.waitForSelector(`${card('weather')}[data-state="error"]`, { timeout: 5000 });
  // The overall badge follows the event too, well before the 10 s health poll.
  await page.waitForSelector('#overall[data-status="fail"]', { timeout: 3000 });
  assert.match(await page.textContent(`${card('weather')} .last-error`), /upstream answered 500/);
  assert.equal(await page.evaluate(() => window.__loadMarker), marker, 'the page reloaded');
  mock.state.health = health;
  await page.close();
});

test('shows reconnecting when the event stream drops, and recovers by itself', async () => {
  const { page } = await open();
  mock.dropEvents();
  await page.waitForSelector('#live[data-state="reconnecting"]', { timeout: 5000 });
  assert.equal(await page.textContent('#live'), 'Reconnecting…');
  await page.waitForSelector('#live[data-state="open"]', { timeout: 10000 });
  assert.equal(await page.textContent('#live'), 'Live');
  // And events flow again on the new stream.
  mock.state.sources[3] = { ...mock.state.sources[3], state: 'stale', age_s: 4000 };
  mock.emit('source.updated', { source: 'calendar' });
  await page.waitForSelector(`${card('calendar')}[data-state="stale"]`, { timeout: 5000 });
  await page.close();
});

test('refresh asks for the token on 401 and keeps it in memory only', async () => {
  const { page } = await open();
  const before = mock.state.refreshes.length;
  await page.click(`${card('plug')} .refresh`);
  await page.waitForSelector('#token-dialog[open]', { timeout: 5000 });
  assert.match(await page.textContent('#token-reason'), /API token/);
  await page.fill('#token-input', 'wrong');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#token-dialog[open]', { timeout: 5000 });
  assert.match(await page.textContent('#token-reason'), /not accepted/);
  await page.fill('#token-input', TOKEN);
  await page.click('#token-form button[type="submit"]');
  await page.waitForFunction((sel) => document.querySelector(sel).textContent.startsWith('Refreshed'),
    `${card('plug')} .refresh-result`, { timeout: 5000 });
  assert.equal(await page.textContent(`${card('plug')} .refresh-result`), 'Refreshed in 87 ms (changed)');
  assert.deepEqual(mock.state.refreshes.slice(before), [{ name: 'plug', authorization: `Bearer ${TOKEN}` }]);
  // A second refresh reuses the token without asking.
  await page.click(`${card('weather')} .refresh`);
  await page.waitForFunction(() => document.querySelectorAll('.refresh-result')[3].textContent.startsWith('Refreshed'),
    null, { timeout: 5000 });
  assert.equal(await page.locator('#token-dialog[open]').count(), 0);
  const stored = await page.evaluate(() => JSON.stringify([localStorage.length, sessionStorage.length, document.cookie]));
  assert.equal(stored, '[0,0,""]');
  assert.ok(!(await page.content()).includes(TOKEN), 'token written into the DOM');
  // Cancelling the prompt leaves a clear message.
  const fresh = await open();
  await fresh.page.click(`${card('prices')} .refresh`);
  await fresh.page.waitForSelector('#token-dialog[open]');
  await fresh.page.keyboard.press('Escape');
  await fresh.page.waitForFunction((sel) => document.querySelector(sel).textContent.includes('token needed'),
    `${card('prices')} .refresh-result`, { timeout: 5000 });
  await fresh.page.close();
  await page.close();
});

test('every refresh button is reachable by keyboard', async () => {
  const { page } = await open();
  const reached = new Set();
  for (let i = 0; i < 40 && reached.size < 4; ++i) {
    await page.keyboard.press('Tab');
    const label = await page.evaluate(() => document.activeElement.getAttribute('aria-label'));
    if (label && label.startsWith('Refresh ')) reached.add(label);
  }
  assert.equal(reached.size, 4, [...reached].join(', '));
  await page.close();
});

test('draws the history as charts, switches range and shows a point on hover', async () => {
  const { page, seen } = await open();
  await page.waitForSelector('#history:not([hidden]) #overview-charts .chart path.line', { timeout: 10000 });
  assert.deepEqual(await page.locator('#overview-charts .chart-title').allTextContents(),
    ['Requests', 'Error ratio (5xx)', 'p95 latency of source reads']);
  assert.equal(await page.locator('#overview-charts path.line').count(), 3);
  // Per card: the fetch duration and each value, values with their min-max band.
  await page.waitForSelector(`${card('weather')} .card-charts:not([hidden]) .chart[data-key="value:temperature"] path.band`);
  assert.deepEqual(await page.locator(`${card('weather')} .card-charts .chart-title`).allTextContents(),
    ['Fetch duration', 'temperature', 'is_day']);
  assert.equal(await page.isHidden(`${card('calendar')} .card-charts`), true);
  // A gap of nulls is a gap in the line (two subpaths), not a drop to zero.
  const d = await page.getAttribute('#overview-charts .chart[data-key="requests"] path.line', 'd');
  assert.equal((d.match(/M/g) || []).length, 2, d);
  // The last hour by default; 24h asks again with the range's since and a coarser step.
  assert.ok(mock.state.historyQueries.some((q) => q.includes('since=3600s')));
  const asked = mock.state.historyQueries.length;
  await page.click('.range button[data-range="24h"]');
  await page.waitForFunction((n) => document.querySelector('.range button[data-range="24h"]')
    .getAttribute('aria-pressed') === 'true', asked);
  for (let i = 0; i < 50 && !mock.state.historyQueries.slice(asked).some((q) => q.includes('since=86400s')); ++i) {
    await page.waitForTimeout(100);
  }
  const later = mock.state.historyQueries.slice(asked);
  assert.ok(later.some((q) => q.includes('since=86400s') && q.includes('step=720s')), later.join(' '));
  assert.equal(await page.getAttribute('.range button[data-range="1h"]', 'aria-pressed'), 'false');
  // Hover (or tap) shows the time and value of the nearest point.
  const svg = page.locator('#overview-charts .chart[data-key="requests"] svg');
  const box = await svg.boundingBox();
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
  assert.match(await page.textContent('#overview-charts .chart[data-key="requests"] .chart-tip'), /\d.*·\s*\d+(\.\d+)?\/s/);
  await page.mouse.move(box.x + box.width * 0.76, box.y + box.height / 2); // inside the gap
  assert.match(await page.textContent('#overview-charts .chart[data-key="requests"] .chart-tip'), /· –$/);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('hides the charts when the daemon keeps no history', async () => {
  mock.state.historyEnabled = false;
  const { page, seen } = await open();
  await page.waitForTimeout(500);
  assert.equal(await page.isHidden('#history'), true);
  assert.equal(await page.locator('.card-charts:not([hidden])').count(), 0);
  assert.deepEqual(seen.errors, []);
  mock.state.historyEnabled = true;
  await page.close();
});

test('fits a phone screen and follows the dark colour scheme', async () => {
  const { page } = await open();
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than a phone`);
  await saveScreenshot(page, 'mock-phone.png');
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(light, dark);
  await page.setViewportSize({ width: 1280, height: 900 });
  await saveScreenshot(page, 'mock-desktop-dark.png');
  await page.close();
});

test('says so when the daemon cannot be reached', async () => {
  const { page } = await open();
  await mock.close();
  await page.waitForSelector('#live[data-state="reconnecting"]', { timeout: 5000 });
  await page.click(`${card('weather')} .refresh`);
  await page.waitForFunction((sel) => document.querySelector(sel).textContent.includes('unreachable'),
    `${card('weather')} .refresh-result`, { timeout: 5000 });
  await page.close();
});
