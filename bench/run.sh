#!/usr/bin/env bash
# Benchmarks `homectl serve` /live against nginx serving the same small body,
# in the same run: each server pinned to core 0, wrk pinned to core 1.
# Usage: bench/run.sh [path/to/homectl]   (env: DURATION=10s CONNECTIONS=50 THREADS=1)
set -euo pipefail

HOMECTL=${1:-build/homectl}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-1}

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
bench_require wrk nginx taskset

# wrk's latency distribution → "req/s p50_ms p99_ms"
run_wrk() { # url
  local out
  out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$1")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}

to_ms() { # "812.00us" | "1.20ms" | "1.01s" → milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
    printf "%.3f", n }'
}

homectl_port=$(free_port)
cat >"$work/homectl.json" <<JSON
{ "server": { "listen": "127.0.0.1:$homectl_port", "threads": $THREADS, "max_connections": 4096 },
  "log": { "level": "warn", "access": "off" } }
JSON
taskset -c 0 "$HOMECTL" serve --config "$work/homectl.json" >"$work/homectl.log" 2>&1 &
pids+=($!)

nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<CONF
worker_processes $THREADS;
worker_cpu_affinity auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /live { default_type "text/plain; charset=utf-8"; return 200 "ok\n"; }
  }
}
CONF
taskset -c 0 "$NGINX" -c "$work/nginx.conf" -p "$work" >"$work/nginx.out" 2>&1 &
pids+=($!)

wait_url "http://127.0.0.1:$homectl_port/live" 200
wait_url "http://127.0.0.1:$nginx_port/live" 200

# A short warm-up for both, then the measured runs.
DURATION=2s run_wrk "http://127.0.0.1:$homectl_port/live" >/dev/null
DURATION=2s run_wrk "http://127.0.0.1:$nginx_port/live" >/dev/null
read -r h_rps h_p50 h_p99 <<<"$(run_wrk "http://127.0.0.1:$homectl_port/live")"
read -r n_rps n_p50 n_p99 <<<"$(run_wrk "http://127.0.0.1:$nginx_port/live")"

printf '%-8s %12s %10s %10s\n' server req/s p50_ms p99_ms
printf '%-8s %12s %10s %10s\n' homectl "$h_rps" "$h_p50" "$h_p99"
printf '%-8s %12s %10s %10s\n' nginx "$n_rps" "$n_p50" "$n_p99"
awk -v h="$h_rps" -v n="$n_rps" 'BEGIN { printf "ratio homectl/nginx req/s: %.2f\n", h / n }'
