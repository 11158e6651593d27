// homectl status page: reads /health, /metrics, /v1/sources, per-source
// fetch history and the in-memory history (/v1/history, drawn as SVG charts),
// and stays live over /v1/events. Vanilla JS, no inline code (CSP),
// data only ever inserted as text.
'use strict';

(() => {
  const POLL_HEALTH_MS = 10000;
  const POLL_SOURCES_MS = 30000;
  const RECONNECT_MAX_MS = 15000;
  const EVENT_TYPES = ['source.updated', 'source.failed', 'breaker.changed'];
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const $ = (id) => document.getElementById(id);
  const page = {
    token: null, // API token: memory only, for this page's lifetime
    cards: new Map(), // source name -> card element
    data: new Map(), // source name -> { source, receivedAt }
    metricsPrev: null,
    timers: new Map(),
  };

  // ---------------------------------------------------------------- format
  function fmtSeconds(total) {
    if (total == null || !Number.isFinite(total)) return '–';
    const s = Math.max(0, Math.round(total));
    if (s < 90) return `${s} s`;
    const m = Math.round(s / 60);
    if (m < 90) return `${m} min`;
    const h = Math.floor(s / 3600);
    if (h < 48) return `${h} h ${Math.round((s % 3600) / 60)} min`;
    return `${Math.floor(h / 24)} d ${h % 24} h`;
  }
  function parseTime(value) {
    if (value == null || value === '') return null;
    const t = typeof value === 'number' ? value * 1000 : Date.parse(value);
    return Number.isFinite(t) ? t : null;
  }
  function fmtRelative(value) {
    const t = parseTime(value);
    if (t == null) return null;
    const diff = (t - Date.now()) / 1000;
    return diff > 1 ? `in ${fmtSeconds(diff)}` : `${fmtSeconds(-diff)} ago`;
  }
  function setTime(el, value, fallback) {
    const t = parseTime(value);
    el.textContent = '';
    if (t == null) {
      el.textContent = fallback;
      return;
    }
    const time = document.createElement('time');
    time.dateTime = new Date(t).toISOString();
    time.title = new Date(t).toLocaleString();
    time.textContent = fmtRelative(value);
    el.append(time);
  }

  // ---------------------------------------------------------------- fetch
  async function getJSON(url, { allow = [] } = {}) {
    const r = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!r.ok && !allow.includes(r.status)) throw new Error(`${url} answered HTTP ${r.status}`);
    return r.json();
  }
  // Runs fn once after `ms`, however often it is asked for meanwhile.
  function debounce(key, ms, fn) {
    if (page.timers.has(key)) return;
    page.timers.set(key, setTimeout(() => {
      page.timers.delete(key);
      fn();
    }, ms));
  }

  // ---------------------------------------------------------------- health
  const OVERALL_TEXT = { pass: 'Healthy', warn: 'Degraded', fail: 'Failing' };

  function checkList(health) {
    // application/health+json: "checks": { "name": [ {status, output, ...} ] };
    // an array of { name, status, output } is accepted too.
    const checks = health.checks || {};
    const out = [];
    if (Array.isArray(checks)) {
      for (const c of checks) out.push({ name: c.name || c.componentId || '?', ...c });
    } else {
      for (const [name, value] of Object.entries(checks)) {
        for (const c of Array.isArray(value) ? value : [value]) out.push({ name, ...c });
      }
    }
    return out;
  }

  function renderHealth(health) {
    const status = OVERALL_TEXT[health.status] ? health.status : 'unknown';
    $('overall').dataset.status = status;
    $('overall-badge').textContent = status === 'unknown' ? '?' : status;
    $('overall-text').textContent = OVERALL_TEXT[status] || `Status: ${health.status}`;
    document.title = `homectl · ${status}`;
    const version = health.version || (health.build && health.build.version) || health.releaseId;
    $('version').textContent = version || '–';
    // Uptime is the "uptime" check's observedValue (seconds); a top-level uptime_s works too.
    const checks = checkList(health);
    const uptimeCheck = checks.find((c) => c.name === 'uptime');
    const uptime = health.uptime_s ?? (uptimeCheck && uptimeCheck.observedValue);
    $('uptime').textContent = typeof uptime === 'number' ? fmtSeconds(uptime) : '–';

    const list = $('checks');
    list.textContent = '';
    let redis = null;
    for (const c of checks) {
      if (c === uptimeCheck) continue;
      const li = document.createElement('li');
      li.dataset.status = c.status || 'unknown';
      li.textContent = `${c.name}: ${c.status || '?'}`;
      if (c.output) li.title = String(c.output);
      list.append(li);
      if (/redis/i.test(c.name)) redis = c;
    }
    $('redis-row').hidden = redis == null;
    if (redis) {
      const label = { pass: 'connected', warn: 'degraded', fail: 'down' }[redis.status] || redis.status;
      $('redis').textContent = redis.output ? `${label} (${redis.output})` : label;
    }
  }

  async function pollHealth() {
    try {
      // /health answers 503 with a report when failing: still a report.
      renderHealth(await getJSON('/health', { allow: [503] }));
    } catch (e) {
      $('overall').dataset.status = 'fail';
      $('overall-badge').textContent = 'down';
      $('overall-text').textContent = 'Daemon unreachable';
      document.title = 'homectl · unreachable';
    }
  }

  // ---------------------------------------------------------------- metrics
  // Prometheus text: requests = every *http_requests_total sample; cache hit
  // ratio = hits / (hits + misses) from *cache*_total counters, either named
  // (..._hits_total / ..._misses_total) or labelled result="hit|stale|miss".
  function parseMetrics(text) {
    let requests = 0;
    let hits = 0;
    let misses = 0;
    let sawRequests = false;
    let sawCache = false;
    for (const line of text.split('\n')) {
      if (!line || line[0] === '#') continue;
      const m = /^([A-Za-z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      const [, name, labels = '', raw] = m;
      const value = Number(raw);
      if (!Number.isFinite(value)) continue;
      if (/http_requests_total$/.test(name)) {
        requests += value;
        sawRequests = true;
      } else if (/cache.*_total$/.test(name)) {
        const result = /(?:result|outcome|status)="([^"]*)"/.exec(labels);
        const kind = result ? result[1] : name;
        if (/miss/.test(kind)) {
          misses += value;
          sawCache = true;
        } else if (/hit|stale/.test(kind)) {
          hits += value;
          sawCache = true;
        }
      }
    }
    return { at: Date.now(), requests: sawRequests ? requests : null, hits, misses, sawCache };
  }

  function renderMetrics(now) {
    const prev = page.metricsPrev;
    if (now.requests == null) {
      $('request-rate').textContent = '–';
    } else if (prev && prev.requests != null && now.at > prev.at) {
      const rate = Math.max(0, now.requests - prev.requests) / ((now.at - prev.at) / 1000);
      $('request-rate').textContent = `${rate.toFixed(rate < 10 ? 2 : 0)}/s`;
      $('request-rate').title = `${now.requests} requests since start`;
    } else {
      $('request-rate').textContent = `${now.requests} total`;
    }
    const lookups = now.hits + now.misses;
    $('hit-ratio').textContent = now.sawCache && lookups > 0 ? `${((100 * now.hits) / lookups).toFixed(1)} %` : '–';
    $('hit-ratio').title = now.sawCache ? `${now.hits} hits, ${now.misses} misses` : '';
    page.metricsPrev = now;
  }

  async function pollMetrics() {
    try {
      const r = await fetch('/metrics', { cache: 'no-store' });
      if (r.ok) renderMetrics(parseMetrics(await r.text()));
    } catch (e) {
      // The health poll already reports an unreachable daemon.
    }
  }

  // ---------------------------------------------------------------- sources
  const STATES = ['fresh', 'stale', 'error', 'empty'];

  function createCard(name) {
    const li = $('card-template').content.firstElementChild.cloneNode(true);
    li.dataset.source = name;
    li.querySelector('.name').textContent = name;
    const button = li.querySelector('.refresh');
    button.setAttribute('aria-label', `Refresh ${name} now`);
    button.addEventListener('click', () => refreshSource(name, li));
    page.cards.set(name, li);
    fetchHistory(name);
    return li;
  }

  function breakerText(breaker) {
    const value = breaker && typeof breaker === 'object' ? breaker.state : breaker;
    return value ? String(value).replace('_', '-') : '–';
  }

  function sourceAge(entry) {
    const age = entry.source.age_s;
    if (age == null) return null;
    return age + (Date.now() - entry.receivedAt) / 1000;
  }

  function updateAge(li, entry) {
    const s = entry.source;
    const age = sourceAge(entry);
    li.querySelector('.age').textContent =
      age == null ? `never fetched / ${fmtSeconds(s.ttl_s)}` : `${fmtSeconds(age)} / ${fmtSeconds(s.ttl_s)}`;
    setTime(li.querySelector('.last-success'), s.last_success, 'never');
    const due = parseTime(s.next_refresh);
    if (due != null && due <= Date.now()) {
      li.querySelector('.next-refresh').textContent = 'due now';
    } else {
      setTime(li.querySelector('.next-refresh'), s.next_refresh, 'on demand');
    }
    const err = s.last_error;
    if (err && err.message) {
      const when = fmtRelative(err.at);
      li.querySelector('.last-error').textContent = when ? `${err.message} (${when})` : err.message;
    }
  }

  function renderValues(li, values) {
    const list = li.querySelector('.values');
    const names = values && typeof values === 'object' ? Object.keys(values).sort() : [];
    list.textContent = '';
    for (const name of names) {
      const row = document.createElement('div');
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = name;
      const n = Number(values[name]);
      dd.textContent = Number.isFinite(n) ? n.toLocaleString(undefined, { maximumFractionDigits: 6 }) : '–';
      dd.className = 'value';
      row.append(dt, dd);
      list.append(row);
    }
    list.hidden = names.length === 0;
  }

  function updateCard(li, entry) {
    const s = entry.source;
    const state = STATES.includes(s.state) ? s.state : 'empty';
    li.dataset.state = state;
    li.querySelector('.state-text').textContent = s.state || 'unknown';
    li.querySelector('.breaker').textContent = breakerText(s.breaker);
    li.querySelector('.error-row').hidden = !(s.last_error && s.last_error.message);
    renderValues(li, s.values);
    updateAge(li, entry);
  }

  function renderSources(list) {
    const cards = $('cards');
    const seen = new Set();
    const now = Date.now();
    list.sort((a, b) => String(a.name).localeCompare(String(b.name)));
    for (const s of list) {
      if (!s || typeof s.name !== 'string') continue;
      seen.add(s.name);
      const known = page.cards.get(s.name);
      const li = known || createCard(s.name);
      if (!known) scheduleCharts(); // its charts now, not at the next poll
      const entry = { source: s, receivedAt: now };
      page.data.set(s.name, entry);
      updateCard(li, entry);
      cards.append(li); // keeps sorted order; moving an element keeps its focus state
    }
    for (const [name, li] of page.cards) {
      if (!seen.has(name)) {
        li.remove();
        page.cards.delete(name);
        page.data.delete(name);
      }
    }
    $('no-sources').hidden = seen.size > 0;
    $('source-count').textContent = `(${seen.size})`;
    $('updated').dateTime = new Date(now).toISOString();
    $('updated').textContent = new Date(now).toLocaleTimeString();
  }

  async function loadSources() {
    try {
      const body = await getJSON('/v1/sources');
      renderSources(Array.isArray(body.sources) ? body.sources : []);
      $('sources-error').hidden = true;
    } catch (e) {
      $('sources-error').textContent = `Could not load sources: ${e.message}`;
      $('sources-error').hidden = false;
    }
  }
  const scheduleSources = (ms = 150) => debounce('sources', ms, loadSources);

  // ---------------------------------------------------------------- sparkline
  // A refresh that left the source current: a new body, or 304 Not Modified.
  const succeeded = (outcome) => outcome === 'ok' || outcome === 'not_modified';

  function renderHistory(li, entries) {
    const svg = li.querySelector('.sparkline');
    const caption = li.querySelector('.spark-caption');
    svg.textContent = '';
    const last = entries.slice(-60);
    if (last.length === 0) {
      svg.setAttribute('aria-label', 'No fetches yet');
      caption.textContent = 'No fetches yet';
      return;
    }
    const durations = last.map((e) => Math.max(0, Number(e.duration_ms) || 0));
    const max = Math.max(1, ...durations);
    const slot = 120 / 60;
    last.forEach((e, i) => {
      const ok = succeeded(e.outcome);
      // Log scale so one slow fetch does not flatten the rest; failures full height.
      const h = ok ? 3 + (21 * Math.log1p(durations[i])) / Math.log1p(max) : 24;
      const bar = document.createElementNS(SVG_NS, 'rect');
      bar.setAttribute('x', String((60 - last.length + i) * slot + 0.2));
      bar.setAttribute('y', String(24 - h));
      bar.setAttribute('width', String(slot - 0.4));
      bar.setAttribute('height', String(h));
      const known = ['ok', 'error', 'timeout', 'breaker_open', 'rate_limited'];
      bar.setAttribute('class', ok ? 'ok' : known.includes(e.outcome) ? e.outcome : 'other');
      const title = document.createElementNS(SVG_NS, 'title');
      const status = e.status ? ` HTTP ${e.status}` : '';
      const why = e.error ? `: ${e.error}` : '';
      title.textContent = `${e.at || ''} ${e.outcome}${status} ${Math.round(durations[i])} ms${why}`;
      bar.append(title);
      svg.append(bar);
    });
    const okCount = last.filter((e) => succeeded(e.outcome)).length;
    const okDurations = last.filter((e) => succeeded(e.outcome)).map((e) => Number(e.duration_ms) || 0).sort((a, b) => a - b);
    const median = okDurations.length ? okDurations[Math.floor(okDurations.length / 2)] : null;
    const text = `Last ${last.length} fetches: ${okCount} ok, ${last.length - okCount} failed` +
      (median == null ? '' : ` · median ${Math.round(median)} ms`);
    svg.setAttribute('aria-label', text);
    caption.textContent = text;
  }

  async function fetchHistory(name) {
    const li = page.cards.get(name);
    if (!li) return;
    try {
      const body = await getJSON(`/v1/sources/${encodeURIComponent(name)}/history`);
      renderHistory(li, Array.isArray(body.entries) ? body.entries : []);
    } catch (e) {
      li.querySelector('.spark-caption').textContent = 'History unavailable';
    }
  }
  const scheduleHistory = (name, ms = 150) => debounce(`history:${name}`, ms, () => fetchHistory(name));

  // ---------------------------------------------------------------- charts
  // GET /v1/history drawn as SVG: the overview row and, per card, the fetch
  // duration and every value, over the range picked (1h / 24h / 48h).
  const RANGES = { '1h': 3600, '24h': 86400, '48h': 172800 };
  const CHART_POINTS = 120;
  const POLL_CHARTS_MS = 60000;
  let chartRange = '1h';

  const finite = (v) => typeof v === 'number' && Number.isFinite(v);

  function fmtValue(v, unit) {
    if (!finite(v)) return '–';
    if (unit === 's') return v < 1 ? `${+(v * 1000).toPrecision(3)} ms` : `${+v.toPrecision(3)} s`;
    if (unit === 'ratio') return `${+(v * 100).toFixed(2)} %`;
    if (unit === '1/s') return `${+v.toPrecision(3)}/s`;
    return v.toLocaleString(undefined, { maximumFractionDigits: 3 });
  }

  function pointText(fig, i) {
    const { points, unit } = fig.chart;
    const p = points[i];
    if (!p) return '';
    const when = new Date(p[0] * 1000).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
    let text = `${when} · ${fmtValue(p[1], unit)}`;
    if (p.length >= 4 && finite(p[2]) && finite(p[3]) && p[2] !== p[3]) {
      text += ` (${fmtValue(p[2], unit)}–${fmtValue(p[3], unit)})`;
    }
    return text;
  }

  // Shows point i (nearest to the pointer, or moved with the arrow keys).
  function showPoint(fig, i) {
    const n = fig.chart.points.length;
    if (!n) return;
    i = Math.max(0, Math.min(n - 1, i));
    fig.chart.at = i;
    fig.querySelector('.chart-tip').textContent = pointText(fig, i);
    const svg = fig.querySelector('svg');
    let mark = svg.querySelector('.mark');
    if (!mark) {
      mark = document.createElementNS(SVG_NS, 'line');
      mark.setAttribute('class', 'mark');
      mark.setAttribute('y1', '0');
      mark.setAttribute('y2', '60');
      svg.append(mark);
    }
    const x = String(n <= 1 ? 150 : (i / (n - 1)) * 300);
    mark.setAttribute('x1', x);
    mark.setAttribute('x2', x);
  }

  function chartFor(container, key, title) {
    for (const fig of container.children) if (fig.dataset.key === key) return fig;
    const fig = $('chart-template').content.firstElementChild.cloneNode(true);
    fig.dataset.key = key;
    fig.querySelector('.chart-title').textContent = title;
    fig.chart = { points: [], unit: '', title, at: null };
    const svg = fig.querySelector('svg');
    const nearest = (e) => {
      const r = svg.getBoundingClientRect();
      const n = fig.chart.points.length;
      showPoint(fig, Math.round(((e.clientX - r.left) / Math.max(1, r.width)) * (n - 1)));
    };
    svg.addEventListener('pointermove', nearest);
    svg.addEventListener('pointerdown', nearest);
    svg.addEventListener('keydown', (e) => {
      const step = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
      if (!step) return;
      e.preventDefault();
      showPoint(fig, (fig.chart.at ?? fig.chart.points.length - 1) + step);
    });
    container.append(fig);
    return fig;
  }

  // points: [[unix_s, value], ...] or [[unix_s, mean, min, max], ...]; nulls are gaps.
  function drawChart(fig, points, unit) {
    const svg = fig.querySelector('svg');
    svg.textContent = '';
    fig.chart.points = points;
    fig.chart.unit = unit;
    fig.chart.at = null;
    const tip = fig.querySelector('.chart-tip');
    const shown = points.flatMap((p) => p.slice(1).filter(finite));
    if (!shown.length) {
      svg.setAttribute('aria-label', `${fig.chart.title}: nothing recorded in this range`);
      tip.textContent = 'no data';
      return;
    }
    let lo = shown.reduce((a, b) => Math.min(a, b));
    let hi = shown.reduce((a, b) => Math.max(a, b));
    if (unit !== '' && lo > 0) lo = 0;
    if (hi === lo) hi = lo + (Math.abs(lo) || 1);
    const n = points.length;
    const x = (i) => (n <= 1 ? 150 : (i / (n - 1)) * 300).toFixed(1);
    const y = (v) => (58 - ((v - lo) / (hi - lo)) * 56).toFixed(1);
    let line = '';
    let band = '';
    let run = [];
    const closeRun = () => {
      if (run.length) {
        band += `M${run.map((i) => `${x(i)},${y(points[i][3])}`).join('L')}` +
          `L${run.reverse().map((i) => `${x(i)},${y(points[i][2])}`).join('L')}Z`;
      }
      run = [];
    };
    points.forEach((p, i) => {
      if (!finite(p[1])) {
        closeRun();
        return;
      }
      line += `${i && finite(points[i - 1][1]) ? 'L' : 'M'}${x(i)},${y(p[1])}`;
      if (p.length >= 4 && finite(p[2]) && finite(p[3])) run.push(i);
      else closeRun();
    });
    closeRun();
    for (const [cls, d] of [['band', band], ['line', line]]) {
      if (!d) continue;
      const path = document.createElementNS(SVG_NS, 'path');
      path.setAttribute('class', cls);
      path.setAttribute('d', d);
      svg.append(path);
    }
    const last = [...points].reverse().find((p) => finite(p[1]));
    svg.setAttribute('aria-label', `${fig.chart.title}: last ${fmtValue(last[1], unit)}, ` +
      `lowest ${fmtValue(lo, unit)}, highest ${fmtValue(hi, unit)}`);
    tip.textContent = pointText(fig, points.indexOf(last));
  }

  // Requests and 5xx per second, taken point by point, as the 5xx share.
  function errorRatio(requests, errors) {
    const byTime = new Map((errors ? errors.points : []).map((p) => [p[0], p[1]]));
    return (requests ? requests.points : []).map(([t, r]) => {
      const e = byTime.get(t);
      return [t, finite(r) && r > 0 && finite(e) ? e / r : null];
    });
  }

  function drawCardCharts(name, durations, values) {
    const li = page.cards.get(name);
    if (!li) return;
    const box = li.querySelector('.card-charts');
    const keep = new Set();
    const duration = durations.find((s) => s.labels && s.labels.source === name);
    if (duration) {
      keep.add('duration');
      drawChart(chartFor(box, 'duration', 'Fetch duration'), duration.points, 's');
    }
    for (const s of values.filter((v) => v.labels && v.labels.source === name)) {
      const key = `value:${s.labels.value}`;
      keep.add(key);
      drawChart(chartFor(box, key, String(s.labels.value)), s.points, '');
    }
    for (const fig of [...box.children]) if (!keep.has(fig.dataset.key)) fig.remove();
    box.hidden = keep.size === 0;
  }

  async function loadCharts() {
    let list;
    try {
      list = await getJSON('/v1/history');
    } catch (e) {
      return; // an older daemon, or a passing error: the next poll tries again
    }
    $('history').hidden = !list.enabled;
    if (!list.enabled) {
      for (const li of page.cards.values()) li.querySelector('.card-charts').hidden = true;
      return;
    }
    const since = RANGES[chartRange];
    const step = Math.max(Number(list.interval_s) || 60, Math.ceil(since / CHART_POINTS));
    const names = ['requests', 'errors', 'latency_p95', 'fetch_duration', 'value'];
    const answers = await Promise.all(names.map((series) =>
      getJSON(`/v1/history?series=${series}&since=${since}s&step=${step}s`)
        .then((body) => (Array.isArray(body.series) ? body.series : []))
        .catch(() => [])));
    const [requests, errors, p95, durations, values] = answers;
    const box = $('overview-charts');
    drawChart(chartFor(box, 'requests', 'Requests'), requests[0] ? requests[0].points : [], '1/s');
    drawChart(chartFor(box, 'errors', 'Error ratio (5xx)'), errorRatio(requests[0], errors[0]), 'ratio');
    drawChart(chartFor(box, 'p95', 'p95 latency of source reads'), p95[0] ? p95[0].points : [], 's');
    for (const name of page.cards.keys()) drawCardCharts(name, durations, values);
  }
  const scheduleCharts = (ms = 150) => debounce('charts', ms, loadCharts);

  for (const button of document.querySelectorAll('.range button')) {
    button.addEventListener('click', () => {
      chartRange = button.dataset.range in RANGES ? button.dataset.range : '1h';
      for (const b of document.querySelectorAll('.range button')) {
        b.setAttribute('aria-pressed', String(b === button));
      }
      scheduleCharts(0);
    });
  }

  // ---------------------------------------------------------------- refresh
  let tokenRequest = null;

  function askToken(reason) {
    const dialog = $('token-dialog');
    $('token-reason').textContent = reason;
    $('token-input').value = '';
    return new Promise((resolve) => {
      tokenRequest = resolve;
      dialog.showModal();
      $('token-input').focus();
    });
  }
  function finishTokenRequest(token) {
    const resolve = tokenRequest;
    tokenRequest = null;
    if ($('token-dialog').open) $('token-dialog').close();
    if (resolve) resolve(token);
  }
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    finishTokenRequest($('token-input').value.trim() || null);
    $('token-input').value = '';
  });
  $('token-cancel').addEventListener('click', () => finishTokenRequest(null));
  $('token-dialog').addEventListener('close', () => finishTokenRequest(null));

  async function postRefresh(name) {
    const headers = { Accept: 'application/json' };
    if (page.token) headers.Authorization = `Bearer ${page.token}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 20000);
    try {
      return await fetch(`/v1/sources/${encodeURIComponent(name)}/refresh?wait=10s`, {
        method: 'POST', headers, cache: 'no-store', signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  function describeOutcome(body) {
    if (!body || !body.outcome) return 'Refresh started';
    if (succeeded(body.outcome)) {
      const took = body.duration_ms != null ? ` in ${Math.round(body.duration_ms)} ms` : '';
      if (body.outcome === 'not_modified') return `Refreshed${took} (not modified upstream)`;
      return `Refreshed${took}${body.changed === false ? ' (unchanged)' : body.changed ? ' (changed)' : ''}`;
    }
    const status = body.status ? ` (HTTP ${body.status})` : '';
    return `Refresh failed: ${body.outcome.replace('_', ' ')}${status}${body.error ? `: ${body.error}` : ''}`;
  }

  async function refreshSource(name, li) {
    const button = li.querySelector('.refresh');
    const result = li.querySelector('.refresh-result');
    button.disabled = true;
    result.dataset.kind = '';
    result.textContent = 'Refreshing…';
    try {
      let r = await postRefresh(name);
      for (let attempt = 0; r.status === 401 && attempt < 3; ++attempt) {
        const reason = page.token
          ? 'That token was not accepted. Enter the API token (server.api_token).'
          : 'This daemon needs its API token (server.api_token) to refresh. It stays in this page\'s memory only.';
        page.token = null;
        const token = await askToken(reason);
        if (!token) {
          result.dataset.kind = 'error';
          result.textContent = 'Not refreshed: API token needed';
          return;
        }
        page.token = token;
        r = await postRefresh(name);
      }
      const body = await r.json().catch(() => null);
      if (r.status === 429) {
        const after = r.headers.get('Retry-After');
        result.dataset.kind = 'error';
        result.textContent = `Rate limited${after ? `: try again in ${after} s` : ''}`;
      } else if (r.ok) {
        result.dataset.kind = body && body.outcome && !succeeded(body.outcome) ? 'error' : '';
        result.textContent = describeOutcome(body);
      } else {
        result.dataset.kind = 'error';
        const detail = body && (body.detail || body.title);
        result.textContent = `Refresh failed: HTTP ${r.status}${detail ? ` – ${detail}` : ''}`;
      }
    } catch (e) {
      result.dataset.kind = 'error';
      result.textContent = e.name === 'AbortError' ? 'Refresh timed out' : 'Refresh failed: daemon unreachable';
    } finally {
      button.disabled = false;
      scheduleSources(0);
      scheduleHistory(name, 0);
    }
  }

  // ---------------------------------------------------------------- live events
  let source = null;
  let retryMs = 1000;

  function setLive(state) {
    const el = $('live');
    el.dataset.state = state;
    el.textContent = { open: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' }[state];
  }

  function onEvent(e) {
    let data = null;
    try {
      data = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    scheduleSources();
    // The badge and the health chips follow the cards, not the next poll.
    debounce('health', 150, pollHealth);
    if (data && typeof data.source === 'string') scheduleHistory(data.source);
  }

  function connect() {
    source = new EventSource('/v1/events');
    source.addEventListener('open', () => {
      retryMs = 1000;
      setLive('open');
      // Catch up on whatever happened while the stream was down.
      scheduleSources(0);
      for (const name of page.cards.keys()) scheduleHistory(name, 0);
      pollHealth();
    });
    source.addEventListener('error', () => {
      setLive('reconnecting');
      // The browser retries by itself unless the stream was refused (CLOSED):
      // then back off and open a new one.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, retryMs);
        retryMs = Math.min(RECONNECT_MAX_MS, retryMs * 2);
      }
    });
    for (const type of EVENT_TYPES) source.addEventListener(type, onEvent);
    source.addEventListener('message', onEvent);
  }

  // ---------------------------------------------------------------- start
  function tick() {
    for (const [name, entry] of page.data) {
      const li = page.cards.get(name);
      if (li) updateAge(li, entry);
    }
  }

  setLive('connecting');
  pollHealth();
  pollMetrics();
  loadSources().then(() => scheduleCharts(0));
  connect();
  setTimeout(pollMetrics, 3000);
  setInterval(pollHealth, POLL_HEALTH_MS);
  setInterval(pollMetrics, POLL_HEALTH_MS);
  setInterval(loadSources, POLL_SOURCES_MS);
  setInterval(loadCharts, POLL_CHARTS_MS);
  setInterval(tick, 1000);
})();
