// homectl status page: reads /health, /metrics, /v1/sources and per-source
// history, and stays live over /v1/events. Vanilla JS, no inline code (CSP),
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
      const li = page.cards.get(s.name) || createCard(s.name);
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
  loadSources();
  connect();
  setTimeout(pollMetrics, 3000);
  setInterval(pollHealth, POLL_HEALTH_MS);
  setInterval(pollMetrics, POLL_HEALTH_MS);
  setInterval(loadSources, POLL_SOURCES_MS);
  setInterval(tick, 1000);
})();
