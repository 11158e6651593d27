#!/usr/bin/env bash
# Benchmarks a cached GET /v1/sources/{name} (1 KB JSON) against nginx
# proxy_cache (use_stale updating + background_update) in front of the same
# upstream, in the same run: servers pinned to core 0, wrk to core 1.
#   1. hit:   both caches fresh (ttl 1 h)                   → req/s, p50, p99
#   2. stale: ttl 1 s, upstream answers after 300 ms, so nearly every request
#             lands in the stale window while one refresh runs → p95 stays near hit
# Usage: bench/sources.sh [path/to/homectl]   (env: DURATION=10s CONNECTIONS=50 THREADS=1)
set -euo pipefail

HOMECTL=${1:-build/homectl}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-1}
HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
bench_require wrk nginx taskset python3 curl

to_ms() { # "812.00us" | "1.20ms" | "1.01s" → milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
    printf "%.3f", n }'
}

# "req/s p50_ms p95_ms p99_ms" (p95 from wrk's detailed percentile table)
run_wrk() { # url
  local out
  out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$HERE/sources_p95.lua" "$1")
  local rps p50 p95 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  p95=$(awk '$1=="p95_us" {print $2}' <<<"$out")
  echo "$rps $(to_ms "$p50") $(awk -v u="$p95" 'BEGIN {printf "%.3f", u / 1000}') $(to_ms "$p99")"
}

start_pair() { # ttl_seconds upstream_delay_ms → sets h_url n_url
  local ttl=$1 delay=$2
  local up_port h_port n_port
  up_port=$(free_port)
  taskset -c 0 python3 "$HERE/sources_upstream.py" "$up_port" "$delay" &
  pids+=($!)
  wait_url "http://127.0.0.1:$up_port/data" 600

  h_port=$(free_port)
  cat >"$work/homectl-$ttl.json" <<JSON
{ "server": { "listen": "127.0.0.1:$h_port", "threads": $THREADS, "max_connections": 4096 },
  "log": { "level": "warn", "access": "off" },
  "sources": { "bench": { "url": "http://127.0.0.1:$up_port/data", "ttl": "${ttl}s",
                          "refresh": "off", "stale_while_revalidate": "1h",
                          "stale_if_error": "1h", "timeout": "5s" } } }
JSON
  taskset -c 0 "$HOMECTL" serve --config "$work/homectl-$ttl.json" >"$work/homectl-$ttl.log" 2>&1 &
  pids+=($!)

  n_port=$(free_port)
  mkdir -p "$work/nginx-$ttl/cache"
  # nginx workers drop root privileges: they must reach and write the cache dir.
  chmod 755 "$work"
  chmod -R 777 "$work/nginx-$ttl"
  sed -e "s|@WORK@|$work/nginx-$ttl|g" -e "s|@PORT@|$n_port|g" -e "s|@UPSTREAM@|$up_port|g" \
      -e "s|@TTL@|${ttl}s|g" -e "s|@THREADS@|$THREADS|g" "$HERE/sources_nginx.conf" \
      >"$work/nginx-$ttl.conf"
  taskset -c 0 "$NGINX" -c "$work/nginx-$ttl.conf" -p "$work/nginx-$ttl" \
      >"$work/nginx-$ttl.out" 2>&1 &
  pids+=($!)

  h_url="http://127.0.0.1:$h_port/v1/sources/bench"
  n_url="http://127.0.0.1:$n_port/data"
  wait_url "$h_url" 600
  wait_url "$n_url" 600
}

report() { # title h n
  local title=$1
  read -r h_rps h_p50 h_p95 h_p99 <<<"$2"
  read -r n_rps n_p50 n_p95 n_p99 <<<"$3"
  echo "== $title"
  printf '%-8s %12s %10s %10s %10s\n' server req/s p50_ms p95_ms p99_ms
  printf '%-8s %12s %10s %10s %10s\n' homectl "$h_rps" "$h_p50" "$h_p95" "$h_p99"
  printf '%-8s %12s %10s %10s %10s\n' nginx "$n_rps" "$n_p50" "$n_p95" "$n_p99"
  awk -v h="$h_rps" -v n="$n_rps" 'BEGIN { printf "ratio homectl/nginx req/s: %.2f\n", h / n }'
}

# 1. Fresh hits.
start_pair 3600 0
DURATION=2s run_wrk "$h_url" >/dev/null
DURATION=2s run_wrk "$n_url" >/dev/null
hit_h=$(run_wrk "$h_url")
hit_n=$(run_wrk "$n_url")
report "cached GET, fresh (1 KB JSON, $CONNECTIONS connections)" "$hit_h" "$hit_n"

# 2. Stale window: ttl 1 s, upstream 300 ms.
start_pair 1 300
sleep 1.2 # both entries are now stale
stale_h=$(run_wrk "$h_url")
stale_n=$(run_wrk "$n_url")
report "stale window (ttl 1 s, upstream 300 ms)" "$stale_h" "$stale_n"
