#!/usr/bin/env bash
# contrib/prometheus and contrib/grafana against the real daemon: promtool
# checks the alerting rules and runs their unit tests, then every metric the
# rules and the dashboard's queries name must be in the /metrics of a running
# `homectl serve` with a working source, a failing required source and Redis
# configured but unreachable. Loopback only; every wait is bounded.
# Usage: contrib_prometheus.sh <homectl-binary> <source-dir>; exit 77 = skipped.
set -euo pipefail
bin=$1
src=$2
rules=$src/contrib/prometheus/homectl.rules.yml
rule_tests=$src/contrib/prometheus/homectl.rules.test.yml
dashboard=$src/contrib/grafana/homectl-dashboard.json

if ! command -v promtool >/dev/null; then
  echo "SKIP: promtool not found (Debian package prometheus)"
  exit 77
fi
for tool in python3 curl timeout; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not found"
    exit 77
  fi
done

tmp=$(mktemp -d)
upstream_pid=
daemon_pid=
stop() { # PID: SIGTERM, then SIGKILL after 10 s
  kill "$1" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  if [[ -n $daemon_pid ]]; then stop "$daemon_pid"; fi
  if [[ -n $upstream_pid ]]; then stop "$upstream_pid"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
# Keep the caller's HOMECTL_* variables out of the way.
for v in $(env | grep -o '^HOMECTL_[A-Z0-9_]*' || true); do unset "$v"; done

fail() {
  echo "FAIL: $*" >&2
  if [[ -f daemon.log ]]; then
    echo "--- daemon output (last 40 lines)" >&2
    tail -n 40 daemon.log >&2
  fi
  exit 1
}

# 1. The rules are valid and their unit tests pass.
timeout 60 promtool check rules "$rules" || fail "promtool check rules $rules"
timeout 120 promtool test rules "$rule_tests" || fail "promtool test rules $rule_tests"

# 2. The metric names the rules' and the dashboard's queries use.
python3 - "$rules" "$dashboard" >names.txt <<'PY' || fail "cannot read the metric names of the rules or the dashboard"
import json, re, sys

NAME = re.compile(r"\b(homectl_[a-zA-Z0-9_]+|up)\b(?!\s*\()")

def rule_exprs(path):
    # The value of every `expr:` key, single line or block scalar (| or >),
    # without a YAML library.
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(?:- )?expr:\s*(.*)$", lines[i])
        i += 1
        if not m:
            continue
        indent, rest = len(m.group(1)), m.group(2).strip()
        if rest and rest[0] not in "|>":
            yield rest
            continue
        block = []
        while i < len(lines) and (not lines[i].strip() or
                                  len(lines[i]) - len(lines[i].lstrip()) > indent):
            block.append(lines[i])
            i += 1
        yield "\n".join(block)

def dashboard_exprs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("expr", "definition") and isinstance(value, str):
                yield value
            else:
                yield from dashboard_exprs(value)
    elif isinstance(node, list):
        for item in node:
            yield from dashboard_exprs(item)

exprs = [("rules", e) for e in rule_exprs(sys.argv[1])]
exprs += [("dashboard", e) for e in dashboard_exprs(json.load(open(sys.argv[2], encoding="utf-8")))]
rule_count = sum(1 for origin, _ in exprs if origin == "rules")
if rule_count < 6:
    sys.exit(f"found only {rule_count} rule expressions")
names = set()
for origin, expr in exprs:
    for name in NAME.findall(expr):
        if name != "up":  # Prometheus' own series for the scrape
            names.add((name, origin))
for name, origin in sorted(names):
    print(name, origin)
PY
[[ $(wc -l <names.txt) -ge 15 ]] || fail "found only $(wc -l <names.txt) metric names: $(cat names.txt)"

# 3. A tiny upstream: weather.json exists, missing.json answers 404.
mkdir www
echo '{"temperature": 21.5}' >www/weather.json
python3 -u -m http.server 0 --bind 127.0.0.1 --directory www >upstream.log 2>&1 &
upstream_pid=$!
upstream_port=
for _ in $(seq 100); do
  upstream_port=$(sed -n 's/^Serving HTTP on 127\.0\.0\.1 port \([0-9]*\).*/\1/p' upstream.log)
  [[ -n $upstream_port ]] && break
  sleep 0.1
done
[[ -n $upstream_port ]] || fail "the upstream did not start: $(cat upstream.log)"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

get() { # PATH [curl args...]: the body on stdout, the status in status.txt
  local path=$1
  shift
  curl -s --max-time 5 -o body.txt -w '%{http_code}' "$@" "http://127.0.0.1:$port$path" >status.txt || true
  cat body.txt 2>/dev/null || true
}

# 4. The daemon: a source that works, a required one that fails (404), and
# Redis on a port nothing listens on. A port taken between free_port and the
# daemon's bind is retried.
started=
for attempt in 1 2 3; do
  port=$(free_port)
  redis_port=$(free_port)
  cat >homectl.json <<JSON
{
  "server": { "listen": "127.0.0.1:$port" },
  "log": { "level": "info", "format": "json" },
  "redis": { "url": "redis://127.0.0.1:$redis_port/0", "required": false },
  "defaults": { "refresh": "off", "timeout": "2s", "retries": 0 },
  "sources": {
    "weather": { "url": "http://127.0.0.1:$upstream_port/weather.json", "ttl": "1m" },
    "plug": { "url": "http://127.0.0.1:$upstream_port/missing.json", "ttl": "30s", "required": true }
  }
}
JSON
  "$bin" serve --config homectl.json >daemon.log 2>&1 &
  daemon_pid=$!
  for _ in $(seq 100); do
    get /live >/dev/null
    [[ $(cat status.txt) == 200 ]] && started=1 && break
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $started ]] && break
  echo "attempt $attempt: the daemon did not come up on port $port" >&2
  stop "$daemon_pid"
  daemon_pid=
done
[[ -n $started ]] || fail "homectl serve did not answer /live within 10 s"

# Fill every family: reads of both sources, the probes, a refresh that fails.
get /v1/sources/weather >/dev/null
[[ $(cat status.txt) == 200 ]] || fail "GET /v1/sources/weather answered $(cat status.txt)"
get /v1/sources/plug >/dev/null
[[ $(cat status.txt) == 502 ]] || fail "GET /v1/sources/plug answered $(cat status.txt), expected 502"
get /v1/sources/weather >/dev/null
get /ready >/dev/null
[[ $(cat status.txt) == 503 ]] || fail "/ready answered $(cat status.txt) with a required source without a value"
get /health >/dev/null

# 5. Every name used is exposed, as a sample (not just HELP/TYPE).
metrics_ok=
for _ in $(seq 50); do
  get /metrics >metrics.txt
  if [[ $(cat status.txt) == 200 ]] &&
    grep -q '^homectl_source_failures_total{source="plug",reason="status_4xx"} 1$' metrics.txt &&
    grep -q '^homectl_http_request_duration_seconds_bucket{route="/metrics"' metrics.txt; then
    metrics_ok=1
    break
  fi
  sleep 0.1
done
[[ -n $metrics_ok ]] || fail "/metrics never showed the failed refresh of plug: $(cat metrics.txt)"

exposed() { # NAME: a sample line of NAME, with or without labels
  grep -qE "^$1(\{| )" metrics.txt
}
missing=()
while read -r name origin; do
  if ! exposed "$name"; then
    # A histogram named without its suffix in a query is exposed as its series.
    base=${name%_bucket}
    base=${base%_sum}
    base=${base%_count}
    if [[ $base == "$name" ]] || ! exposed "${base}_bucket"; then
      missing+=("$name ($origin)")
    fi
  fi
done <names.txt
if ((${#missing[@]})); then
  fail "not in the live /metrics: ${missing[*]}"
fi

# The values the alerts read, as the daemon sees these two sources.
expect_sample() { # LINE
  grep -qxF -- "$1" metrics.txt || fail "missing sample: $1"
}
expect_sample 'homectl_source_required{source="plug"} 1'
expect_sample 'homectl_source_required{source="weather"} 0'
expect_sample 'homectl_source_has_value{source="plug"} 0'
expect_sample 'homectl_source_has_value{source="weather"} 1'
expect_sample 'homectl_source_refresh_failing{source="plug"} 1'
expect_sample 'homectl_source_refresh_failing{source="weather"} 0'
expect_sample 'homectl_source_ttl_seconds{source="weather"} 60'
expect_sample 'homectl_source_ttl_seconds{source="plug"} 30'
expect_sample 'homectl_source_stale_while_revalidate_seconds{source="weather"} 3600'
expect_sample 'homectl_redis_up 0'
expect_sample 'homectl_redis_ping_latency_seconds NaN'
echo "ok: $(wc -l <names.txt) metric names of the rules and the dashboard are exposed"
