#!/usr/bin/env bash
# Benchmarks a cached GET /v1/sources/{name} (1 KB JSON) against nginx
# proxy_cache (use_stale updating + background_update) in front of the same
# upstream, in the same run: servers pinned to core 0, wrk to core 1.
#   1. hit:   both caches fresh (ttl 1 h)                   → req/s, p50, p99
#   2. stale: ttl 1 s, upstream answers after 300 ms, so nearly every request
#             lands in the stale window while one refresh runs → p95 stays near hit
# The full report is bench/report.sh; this is the quick two-scenario check.
# Usage: bench/sources.sh [path/to/homectl]   (env: DURATION=10s CONNECTIONS=50 THREADS=1)
set -euo pipefail

HOMECTL=${1:-build/homectl}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-1}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_require wrk nginx taskset python3 curl

start_pair() { # ttl_seconds upstream_delay_ms → sets h_url n_url
  start_upstream "$2"
  homectl_config "homectl-$1" "$THREADS" "$1"
  start_homectl "homectl-$1" "$SERVER_CPU"
  start_nginx "nginx-$1" "$THREADS" "$1"
  h_url="http://127.0.0.1:$homectl_port/v1/sources/bench"
  n_url="http://127.0.0.1:$nginx_port/data"
  wait_url "$h_url" 600
  wait_url "$n_url" 600
}

report() { # title h n
  local title=$1
  read -r h_rps h_p50 h_p95 h_p99 _ <<<"$2"
  read -r n_rps n_p50 n_p95 n_p99 _ <<<"$3"
  echo "== $title"
  printf '%-8s %12s %10s %10s %10s\n' server req/s p50_ms p95_ms p99_ms
  printf '%-8s %12s %10s %10s %10s\n' homectl "$h_rps" "$h_p50" "$h_p95" "$h_p99"
  printf '%-8s %12s %10s %10s %10s\n' nginx "$n_rps" "$n_p50" "$n_p95" "$n_p99"
  awk -v h="$h_rps" -v n="$n_rps" 'BEGIN { printf "ratio homectl/nginx req/s: %.2f\n", h / n }'
}

# 1. Fresh hits.
start_pair 3600 0
warm_up "$h_url" "$CONNECTIONS"
warm_up "$n_url" "$CONNECTIONS"
hit_h=$(measure "$h_url" "$CONNECTIONS")
hit_n=$(measure "$n_url" "$CONNECTIONS")
report "cached GET, fresh (1 KB JSON, $CONNECTIONS connections)" "$hit_h" "$hit_n"

# 2. Stale window: ttl 1 s, upstream 300 ms.
start_pair 1 300
sleep 1.2 # both entries are now stale
stale_h=$(measure "$h_url" "$CONNECTIONS")
stale_n=$(measure "$n_url" "$CONNECTIONS")
report "stale window (ttl 1 s, upstream 300 ms)" "$stale_h" "$stale_n"
