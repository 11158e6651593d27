#!/usr/bin/env bash
# A bounded soak of `homectl serve`: mixed client load (wrk over the source,
# health and metrics endpoints, plus SSE listeners) against sources refreshing
# every second, one of them flapping, with Redis as the shared cache. Every
# RESTART_EVERY the redis-server is killed and restarted; every HUP_EVERY the
# daemon reloads its configuration.
#
# After the warm-up and at the end the load pauses briefly and the daemon's
# RSS and open fds are sampled. It passes when the final RSS is within 10% of
# the warm-up RSS, the fd count did not grow, the daemon never stopped
# answering and it exits cleanly on SIGTERM.
#
# Usage: scripts/soak.sh [path/to/homectl] [minutes]
#   env: WARMUP=60 (seconds) RESTART_EVERY=120 HUP_EVERY=60 CONNECTIONS=32
set -euo pipefail

HOMECTL=${1:-build/homectl}
MINUTES=${2:-10}
WARMUP=${WARMUP:-60}
RESTART_EVERY=${RESTART_EVERY:-120}
HUP_EVERY=${HUP_EVERY:-60}
CONNECTIONS=${CONNECTIONS:-32}
HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=bench/lib.sh
. "$HERE/../bench/lib.sh"
bench_require wrk python3 curl redis-server redis-cli

say() { printf '%s soak: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() {
  say "FAILED: $*"
  [ -f "$work/homectl.log" ] && { echo "--- last daemon log lines"; tail -n 30 "$work/homectl.log"; }
  exit 1
}

# --- the upstream: each answer differs (so refreshes are changes and publish
# events); /flap fails every other request.
up_port=$(free_port)
cat >"$work/upstream.py" <<'PY'
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
lock = threading.Lock()
count = 0
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        global count
        with lock:
            count += 1
            n = count
        if self.path.startswith("/flap") and n % 2 == 0:
            status, body = 503, b'{"error":"flapping"}'
        else:
            status = 200
            body = json.dumps({"n": n, "path": self.path, "pad": "x" * (n % 512)}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
python3 "$work/upstream.py" "$up_port" &
pids+=($!)
wait_url "http://127.0.0.1:$up_port/a" 200

# --- redis-server on a free loopback port, restartable.
redis_port=$(free_port)
redis_pid=""
start_redis() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --loglevel warning >>"$work/redis.log" 2>&1 &
  redis_pid=$!
  pids+=("$redis_pid")
  for _ in $(seq 1 100); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  fail "redis-server did not start on port $redis_port"
}
start_redis

# --- the daemon.
port=$(free_port)
write_config() { # ttl for source e (changes on reload, so reloads apply something)
  cat >"$work/homectl.json" <<JSON
{ "server": { "listen": "127.0.0.1:$port", "threads": 2, "max_connections": 1024 },
  "log": { "level": "warn", "access": "off" },
  "redis": { "url": "redis://127.0.0.1:$redis_port/0", "required": false },
  "sources": {
    "a": { "url": "http://127.0.0.1:$up_port/a", "ttl": "1s", "refresh": "1s" },
    "b": { "url": "http://127.0.0.1:$up_port/b", "ttl": "1s", "refresh": "1s" },
    "c": { "url": "http://127.0.0.1:$up_port/c", "ttl": "1s", "refresh": "1s", "pick": ["/n"] },
    "d": { "url": "http://127.0.0.1:$up_port/d", "ttl": "2s", "refresh": "1s" },
    "e": { "url": "http://127.0.0.1:$up_port/e", "ttl": "$1", "refresh": "1s" },
    "flap": { "url": "http://127.0.0.1:$up_port/flap", "ttl": "1s", "refresh": "1s",
              "stale_if_error": "1h" } } }
JSON
}
write_config 1s
"$HOMECTL" config validate --config "$work/homectl.json" >/dev/null ||
  fail "the soak configuration does not validate"
"$HOMECTL" serve --config "$work/homectl.json" >"$work/homectl.log" 2>&1 &
daemon=$!
pids+=("$daemon")
base="http://127.0.0.1:$port"
wait_url "$base/ready" 200 || fail "the daemon did not become ready"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$daemon/status"; }
fd_count() { find "/proc/$daemon/fd" -mindepth 1 -maxdepth 1 | wc -l; }

# --- load: wrk rotating over the API, and SSE listeners.
cat >"$work/mix.lua" <<'LUA'
local paths = { "/v1/sources/a", "/v1/sources/b", "/v1/sources/c", "/v1/sources/d",
                "/v1/sources/e", "/v1/sources/flap", "/v1/sources", "/live", "/ready",
                "/health", "/metrics", "/v1/sources/a?fields=n", "/nope" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA
wrk_pid=""
start_load() { # seconds
  wrk -t1 -c"$CONNECTIONS" -d"${1}s" -s "$work/mix.lua" "$base" >>"$work/wrk.log" 2>&1 &
  wrk_pid=$!
  pids+=("$wrk_pid")
}
# wrk prints its summary only when its run ends by itself: give it a moment.
stop_load() {
  [ -n "$wrk_pid" ] || return 0
  for _ in $(seq 1 50); do
    kill -0 "$wrk_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" 2>/dev/null || true
  wrk_pid=""
}
for i in 1 2 3; do
  curl -sN --max-time $((MINUTES * 60 + WARMUP + 60)) "$base/v1/events" >"$work/sse-$i.log" 2>/dev/null &
  pids+=($!)
done

# Pauses the load, lets in-flight work settle, samples "rss_kb fds".
sample() {
  stop_load
  sleep 3
  kill -0 "$daemon" 2>/dev/null || fail "the daemon died"
  echo "$(rss_kb) $(fd_count)"
}

# Runs the load for `seconds`, with Redis restarts and reloads on schedule.
drive() { # seconds
  local until=$((SECONDS + $1)) next_restart=$((SECONDS + RESTART_EVERY)) next_hup=$((SECONDS + HUP_EVERY))
  local ttl=1 next_sample=$((SECONDS + 60))
  start_load "$1"
  while [ "$SECONDS" -lt "$until" ]; do
    sleep 1
    kill -0 "$daemon" 2>/dev/null || fail "the daemon died under load"
    curl -fsS --max-time 2 -o /dev/null "$base/live" || fail "/live did not answer within 2 s"
    if [ "$SECONDS" -ge "$next_restart" ]; then
      say "restarting redis-server"
      kill "$redis_pid" 2>/dev/null || true
      wait "$redis_pid" 2>/dev/null || true
      sleep 2
      start_redis
      restarts=$((restarts + 1))
      next_restart=$((SECONDS + RESTART_EVERY))
    fi
    if [ "$SECONDS" -ge "$next_sample" ]; then
      rss_series+=" $(rss_kb)"
      next_sample=$((SECONDS + 60))
    fi
    if [ "$SECONDS" -ge "$next_hup" ]; then
      ttl=$((ttl % 3 + 1))
      write_config "${ttl}s"
      kill -HUP "$daemon"
      reloads=$((reloads + 1))
      next_hup=$((SECONDS + HUP_EVERY))
    fi
  done
}

restarts=0
reloads=0
rss_series="" # kB, once a minute under load
say "warm-up for ${WARMUP}s (daemon pid $daemon, port $port)"
drive "$WARMUP"
read -r rss_warm fds_warm <<<"$(sample)"
say "after warm-up: RSS ${rss_warm} kB, ${fds_warm} fds"

say "soak for ${MINUTES} min: redis restart every ${RESTART_EVERY}s, reload every ${HUP_EVERY}s"
drive $((MINUTES * 60))
read -r rss_end fds_end <<<"$(sample)"
say "at the end:    RSS ${rss_end} kB, ${fds_end} fds"

requests=$(awk '/requests in/ {n += $1} END {print n + 0}' "$work/wrk.log")
non2xx=$(awk '/Non-2xx/ {n += $NF} END {print n + 0}' "$work/wrk.log")
errors=$(awk '/Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$work/wrk.log")
events=$(cat "$work"/sse-*.log | grep -c '^event:' || true)
ready=$(curl -s -o /dev/null -w '%{http_code}' "$base/ready")

kill -TERM "$daemon"
status=0
wait "$daemon" || status=$?

printf '\n| measure | value |\n|---|---:|\n'
printf '| duration | %s min after %s s warm-up |\n' "$MINUTES" "$WARMUP"
printf '| requests served (wrk) | %s |\n' "$requests"
printf '| non-2xx answers (wrk; the mix includes a 404 path) | %s |\n' "$non2xx"
printf '| socket errors (wrk) | %s |\n' "$errors"
printf '| SSE events received | %s |\n' "$events"
printf '| redis restarts / reloads | %s / %s |\n' "$restarts" "$reloads"
printf '| /ready at the end | %s |\n' "$ready"
printf '| RSS warm-up → end | %s kB → %s kB |\n' "$rss_warm" "$rss_end"
printf '| RSS each minute under load (kB) |%s |\n' "$rss_series"
printf '| open fds warm-up → end | %s → %s |\n' "$fds_warm" "$fds_end"
printf '| exit status on SIGTERM | %s |\n\n' "$status"

[ "$status" -eq 0 ] || fail "the daemon exited with status $status on SIGTERM"
[ "$requests" -gt 0 ] || fail "wrk reported no requests"
[ "$errors" -eq 0 ] || fail "$errors socket errors"
[ "$fds_end" -le "$fds_warm" ] || fail "open fds grew from $fds_warm to $fds_end"
[ $((rss_end * 10)) -le $((rss_warm * 11)) ] ||
  fail "RSS grew by more than 10% ($rss_warm kB → $rss_end kB)"
[ "$events" -gt 0 ] || fail "no change events reached the SSE listeners"
[ "$ready" = 200 ] || fail "/ready answered $ready at the end"
say "passed"
