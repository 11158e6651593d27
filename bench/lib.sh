# shellcheck shell=bash
# Shared setup for the bench scripts (sourced, not run): tool checks, a work
# directory with background processes cleaned up on exit, free ports, waiting
# for a URL, starting homectl / nginx / the upstream, and one wrk measurement.
# Every server runs pinned with taskset; wrk runs on $WRK_CPU.

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
SERVER_CPU=${SERVER_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# bench_require TOOL... — exit 77 (skipped) when one is missing.
bench_require() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
      echo "bench: '$tool' is not installed (see scripts/install-deps.sh --bench)" >&2
      exit 77
    fi
  done
  [ -x "$HOMECTL" ] || { echo "bench: no homectl binary at $HOMECTL (run 'make build')" >&2; exit 1; }
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

work=$(mktemp -d)
chmod 755 "$work" # nginx workers drop root privileges and must reach their dirs
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_url URL [TRIES] — polls every 50 ms until the URL answers 2xx.
wait_url() {
  local tries=${2:-200}
  for _ in $(seq 1 "$tries"); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "bench: $1 did not answer" >&2
  return 1
}

# stop PID — stops one server started here and waits for it, so the next
# scenario has the core to itself.
stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# rss_kb PID — resident set size in KiB.
rss_kb() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

to_ms() { # "812.00us" | "1.20ms" | "1.01s" → milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
    printf "%.3f", n }'
}

# measure URL CONNECTIONS [DURATION] → "req/s p50_ms p95_ms p99_ms errors"
# (p95 from wrk's detailed percentile table via sources_p95.lua; errors counts
# socket errors and non-2xx/3xx answers).
measure() {
  local url=$1 connections=$2 duration=${3:-$DURATION} out
  out=$(taskset -c "$WRK_CPU" wrk -t1 -c"$connections" -d"$duration" --latency \
        -s "$BENCH_DIR/sources_p95.lua" "$url")
  local rps p50 p95 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  p95=$(awk '$1=="p95_us" {print $2}' <<<"$out")
  errors=$(awk '/Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10}
                /Non-2xx or 3xx/ {n += $NF} END {print n + 0}' <<<"$out")
  echo "$rps $(to_ms "$p50") $(awk -v u="$p95" 'BEGIN {printf "%.3f", u / 1000}') $(to_ms "$p99") $errors"
}

# warm_up URL CONNECTIONS — a short unmeasured run.
warm_up() {
  measure "$1" "$2" "$WARMUP" >/dev/null
}

# start_upstream DELAY_MS → sets upstream_port; the fixed 1 KB JSON origin.
start_upstream() {
  upstream_port=$(free_port)
  taskset -c "$SERVER_CPU" python3 "$BENCH_DIR/sources_upstream.py" "$upstream_port" "$1" &
  pids+=($!)
  wait_url "http://127.0.0.1:$upstream_port/data" 600
}

# homectl_config NAME THREADS [TTL_S] → writes $work/NAME.json, sets homectl_port.
# With TTL_S, one source "bench" on the upstream (start_upstream first).
homectl_config() {
  local name=$1 threads=$2 ttl=${3:-} sources=""
  homectl_port=$(free_port)
  if [ -n "$ttl" ]; then
    sources=", \"sources\": { \"bench\": { \"url\": \"http://127.0.0.1:$upstream_port/data\",
      \"ttl\": \"${ttl}s\", \"refresh\": \"off\", \"stale_while_revalidate\": \"1h\",
      \"stale_if_error\": \"1h\", \"timeout\": \"5s\" } }"
  fi
  cat >"$work/$name.json" <<JSON
{ "server": { "listen": "127.0.0.1:$homectl_port", "threads": $threads, "max_connections": 4096 },
  "log": { "level": "warn", "access": "off" }$sources }
JSON
}

# start_homectl NAME CPUS → runs homectl with $work/NAME.json pinned to CPUS,
# sets homectl_pid and waits for /ready.
start_homectl() {
  taskset -c "$2" "$HOMECTL" serve --config "$work/$1.json" >"$work/$1.log" 2>&1 &
  homectl_pid=$!
  pids+=("$homectl_pid")
  wait_url "http://127.0.0.1:$homectl_port/ready" 600
}

# start_nginx NAME WORKERS [TTL_S] → nginx pinned to $SERVER_CPU, sets nginx_port
# and nginx_pid. With TTL_S: proxy_cache in front of the upstream
# (sources_nginx.conf); without: `return 200 "ok\n"` on /live.
start_nginx() {
  local name=$1 workers=$2 ttl=${3:-} dir="$work/$1"
  nginx_port=$(free_port)
  mkdir -p "$dir/cache"
  chmod -R 777 "$dir"
  if [ -n "$ttl" ]; then
    sed -e "s|@WORK@|$dir|g" -e "s|@PORT@|$nginx_port|g" -e "s|@UPSTREAM@|$upstream_port|g" \
        -e "s|@TTL@|${ttl}s|g" -e "s|@THREADS@|$workers|g" "$BENCH_DIR/sources_nginx.conf" \
        >"$dir/nginx.conf"
  else
    cat >"$dir/nginx.conf" <<CONF
worker_processes $workers;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir;
  uwsgi_temp_path $dir; scgi_temp_path $dir;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /live { default_type "text/plain; charset=utf-8"; return 200 "ok\n"; }
  }
}
CONF
  fi
  taskset -c "$SERVER_CPU" "$NGINX" -c "$dir/nginx.conf" -p "$dir" >"$dir/nginx.out" 2>&1 &
  nginx_pid=$!
  pids+=("$nginx_pid")
}
