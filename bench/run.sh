#!/usr/bin/env bash
# Benchmarks `homectl serve` /live against nginx serving the same small body,
# in the same run: each server pinned to core 0, wrk pinned to core 1.
# The full report (every scenario, written to bench/results/latest.md) is
# bench/report.sh; this is the quick single-scenario check.
# Usage: bench/run.sh [path/to/homectl]   (env: DURATION=10s CONNECTIONS=50 THREADS=1)
set -euo pipefail

HOMECTL=${1:-build/homectl}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-1}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_require wrk nginx taskset python3 curl

homectl_config live "$THREADS"
start_homectl live "$SERVER_CPU"
start_nginx nginx-live "$THREADS"
h_url="http://127.0.0.1:$homectl_port/live"
n_url="http://127.0.0.1:$nginx_port/live"
wait_url "$n_url"

warm_up "$h_url" "$CONNECTIONS"
warm_up "$n_url" "$CONNECTIONS"
read -r h_rps h_p50 _ h_p99 _ <<<"$(measure "$h_url" "$CONNECTIONS")"
read -r n_rps n_p50 _ n_p99 _ <<<"$(measure "$n_url" "$CONNECTIONS")"

printf '%-8s %12s %10s %10s\n' server req/s p50_ms p99_ms
printf '%-8s %12s %10s %10s\n' homectl "$h_rps" "$h_p50" "$h_p99"
printf '%-8s %12s %10s %10s\n' nginx "$n_rps" "$n_p50" "$n_p99"
awk -v h="$h_rps" -v n="$n_rps" 'BEGIN { printf "ratio homectl/nginx req/s: %.2f\n", h / n }'
