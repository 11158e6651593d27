// A stand-in for `homectl serve` that speaks the status page's API shapes
// (DESIGN.md §4) with answers the test controls: for page behaviour that is hard
// to provoke in the real daemon (401 token prompt, a dropped event stream).
// Also a dev server: `node mock_daemon.mjs [port]` serves ../../web with sample data.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

export function sampleSources(now = Date.now()) {
  const iso = (msAgo) => new Date(now - msAgo).toISOString();
  return [
    { name: 'weather', state: 'fresh', age_s: 42, ttl_s: 900, last_success: iso(42000),
      last_error: null, breaker: 'closed', next_refresh: new Date(now + 1758000).toISOString(),
      values: { temperature: 21.5, is_day: 1 } },
    { name: 'plug', state: 'error', age_s: 5400, ttl_s: 30, last_success: iso(5400000),
      last_error: { message: 'connect to plug.lan:80 timed out after 2s', at: iso(20000) },
      breaker: 'open', next_refresh: new Date(now + 30000).toISOString() },
    { name: 'prices', state: 'stale', age_s: 400, ttl_s: 300, last_success: iso(400000),
      last_error: null, breaker: 'closed', next_refresh: new Date(now + 5000).toISOString() },
    { name: 'calendar', state: 'empty', age_s: null, ttl_s: 3600, last_success: null,
      last_error: null, breaker: 'closed', next_refresh: null },
  ];
}

export function sampleHistory(name, now = Date.now()) {
  const entries = [];
  for (let i = 0; i < 60; ++i) {
    const fail = name === 'plug' ? i > 50 : i % 23 === 7;
    entries.push({ at: new Date(now - (60 - i) * 60000).toISOString(),
      duration_ms: fail ? 2000 : 80 + ((i * 37) % 120), status: fail ? 0 : 200,
      outcome: fail ? (i % 2 ? 'timeout' : 'error') : 'ok' });
  }
  return name === 'calendar' ? [] : entries;
}

// GET /v1/history answers: the series list, and each series over `since`
// at `step` (seconds), with a gap of nulls in the middle.
export function sampleSeries(series, since, step, now = Date.now()) {
  const end = Math.floor(now / 1000 / step) * step;
  const points = (label, f, ranged) => {
    const out = [];
    for (let t = end - since; t < end; t += step) {
      const i = (t - (end - since)) / step;
      const gap = i > 40 && i < 50;
      const v = gap ? null : f(i);
      out.push(ranged ? [t, v, v == null ? null : v - 0.5, v == null ? null : v + 0.5] : [t, v]);
    }
    return out;
  };
  const one = (name, labels, unit, f, ranged = false) => ({ name, labels, unit, step_s: step, points: points(name, f, ranged) });
  switch (series) {
    case 'requests': return [one('requests', {}, '1/s', (i) => 2 + Math.sin(i / 8))];
    case 'errors': return [one('errors', {}, '1/s', (i) => (i % 30 === 0 ? 0.5 : 0))];
    case 'latency_p95': return [one('latency_p95', {}, 's', (i) => 0.002 + (i % 7) / 2000)];
    case 'fetch_duration':
      return ['weather', 'plug', 'prices'].map((s) => one('fetch_duration', { source: s }, 's', (i) => 0.08 + (i % 5) / 100));
    case 'value':
      return [one('value', { source: 'weather', value: 'temperature' }, '', (i) => 18 + Math.sin(i / 10) * 4, true),
        one('value', { source: 'weather', value: 'is_day' }, '', (i) => (i % 60 < 30 ? 1 : 0), true)];
    default: return [];
  }
}

// Starts the mock on 127.0.0.1 (port 0 = any free port). `token` makes
// refresh need `Authorization: Bearer <token>`.
export async function startMockDaemon({ port = 0, token = '' } = {}) {
  const webDir = path.resolve(here, '../../web');
  const state = {
    health: { status: 'warn', version: '0.1.0', serviceId: 'homectl',
      checks: {
        uptime: [{ componentType: 'system', observedValue: 3 * 3600 + 720.5, observedUnit: 's', status: 'pass' }],
        'redis:connection': [{ status: 'warn', output: 'reconnecting' }],
        'source:plug': [{ status: 'fail', output: 'connect timed out' }] } },
    sources: sampleSources(),
    requests: 1000,
    refreshes: [], // { name, authorization }
    historyQueries: [], // the query strings of GET /v1/history?series=…
    historyEnabled: true,
    eventClients: new Set(),
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const send = (status, body, type = 'application/json', extra = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    state.requests += 1;
    const file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    if (req.method === 'GET' && /^[a-z]+\.(html|css|js|svg)$/.test(file)) {
      try {
        const body = await readFile(path.join(webDir, file));
        res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)],
          'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' });
        res.end(body);
      } catch {
        send(404, { title: 'Not Found', status: 404 }, 'application/problem+json');
      }
      return;
    }
    if (url.pathname === '/health') {
      send(state.health.status === 'fail' ? 503 : 200, state.health, 'application/health+json');
    } else if (url.pathname === '/metrics') {
      send(200, [
        '# TYPE homectl_http_requests_total counter',
        `homectl_http_requests_total{route="/v1/sources",status="200"} ${state.requests}`,
        `homectl_http_requests_total{route="/",status="200"} 12`,
        '# TYPE homectl_cache_requests_total counter',
        'homectl_cache_requests_total{result="hit"} 900',
        'homectl_cache_requests_total{result="stale"} 50',
        'homectl_cache_requests_total{result="miss"} 50', ''].join('\n'),
      'text/plain; version=0.0.4; charset=utf-8');
    } else if (url.pathname === '/v1/sources') {
      send(200, { sources: state.sources });
    } else if (url.pathname === '/v1/history') {
      const series = url.searchParams.get('series');
      if (!series) {
        send(200, { enabled: state.historyEnabled, interval_s: 60, retention_s: 172800, bytes: 1048576,
          series: state.historyEnabled ? [{ name: 'requests', labels: {}, unit: '1/s', help: '' }] : [] });
        return;
      }
      if (!state.historyEnabled) {
        send(404, { title: 'History is off', status: 404 }, 'application/problem+json');
        return;
      }
      state.historyQueries.push(url.search);
      const since = parseInt(url.searchParams.get('since'), 10) || 172800;
      const step = parseInt(url.searchParams.get('step'), 10) || 60;
      send(200, { series: sampleSeries(series, since, step) });
    } else if (/^\/v1\/sources\/[^/]+\/history$/.test(url.pathname)) {
      const name = decodeURIComponent(url.pathname.split('/')[3]);
      send(200, { source: name, entries: sampleHistory(name) });
    } else if (req.method === 'POST' && /^\/v1\/sources\/[^/]+\/refresh$/.test(url.pathname)) {
      const name = decodeURIComponent(url.pathname.split('/')[3]);
      const authorization = req.headers.authorization || '';
      if (token && authorization !== `Bearer ${token}`) {
        send(401, { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'API token required' },
          'application/problem+json', { 'WWW-Authenticate': 'Bearer' });
        return;
      }
      state.refreshes.push({ name, authorization });
      send(200, { source: name, outcome: 'ok', status: 200, duration_ms: 87, changed: true });
    } else if (url.pathname === '/v1/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write('retry: 500\n\n');
      state.eventClients.add(res);
      req.on('close', () => state.eventClients.delete(res));
    } else {
      send(404, { title: 'Not Found', status: 404 }, 'application/problem+json');
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${server.address().port}`,
    state,
    // Sends one SSE event to every connected page.
    emit(type, data) {
      const payload = JSON.stringify({ v: 1, type, at: new Date().toISOString(), ...data });
      for (const res of state.eventClients) res.write(`event: ${type}\ndata: ${payload}\n\n`);
    },
    // Cuts every open event stream (the page must notice and reconnect).
    dropEvents() {
      for (const res of state.eventClients) res.destroy();
      state.eventClients.clear();
    },
    close() {
      if (!server.listening) return Promise.resolve();
      for (const res of state.eventClients) res.destroy();
      const closed = new Promise((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mock = await startMockDaemon({ port: Number(process.argv[2] || 8099), token: 'secret' });
  console.log(`mock homectl on ${mock.url} (refresh token: secret)`);
  setInterval(() => mock.emit('source.updated', { source: 'weather', etag: '"x"' }), 5000);
}
