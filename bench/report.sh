#!/usr/bin/env bash
# The whole performance report in one go (`make bench`): homectl vs nginx on
# the cached GET at 50 and 500 connections, /live, server.threads 1 vs 2, p95
# in the stale window, RSS idle and with 1000 connections, start-to-ready time
# and binary size. Writes markdown to bench/results/latest.md (or $OUT).
# Servers run pinned to core $SERVER_CPU, wrk to core $WRK_CPU.
# Usage: bench/report.sh [path/to/homectl]   (env: DURATION=10s WARMUP=2s OUT=...)
set -euo pipefail

HOMECTL=${1:-build/homectl}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_require wrk nginx taskset python3 curl strip
OUT=${OUT:-$BENCH_DIR/results/latest.md}
STARTS=${STARTS:-7}
HOLD=${HOLD:-1000}

log() { echo "bench: $*" >&2; }
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
# ratio A B → A/B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# verdict CONDITION_AWK_EXPR → "met" / "not met"
verdict() { awk "BEGIN { print (($1) ? \"met\" : \"not met\") }"; }
# row LABEL SERVER "rps p50 p95 p99 errors" → one markdown table row
row() {
  local r p50 p95 p99 err
  read -r r p50 p95 p99 err <<<"$3"
  printf '| %s | %s | %.0f | %s | %s | %s | %s |\n' "$1" "$2" "$r" "$p50" "$p95" "$p99" "$err"
}
table_head() {
  echo "| scenario | server | req/s | p50 ms | p95 ms | p99 ms | errors |"
  echo "|---|---|---:|---:|---:|---:|---:|"
}
field() { awk -v i="$2" '{ print $i }' <<<"$1"; } # field "rps p50 ..." N

# --- 1. Cached GET, fresh: homectl vs nginx at 50 and 500 connections -------
log "cached GET (fresh)"
start_upstream 0
fresh_upstream_pid=${pids[-1]}
homectl_config fresh 1 3600
start_homectl fresh "$SERVER_CPU"
h_url="http://127.0.0.1:$homectl_port/v1/sources/bench"
start_nginx nginx-fresh 1 3600
n_url="http://127.0.0.1:$nginx_port/data"
wait_url "$h_url" 600
wait_url "$n_url" 600
declare -A hit
for c in 50 500; do
  warm_up "$h_url" "$c"
  warm_up "$n_url" "$c"
  hit[h$c]=$(measure "$h_url" "$c")
  hit[n$c]=$(measure "$n_url" "$c")
done

stop "$nginx_pid"
stop "$homectl_pid"

# --- 2. server.threads 2 (both cores, unpinned from each other) -------------
log "server.threads 2"
homectl_config threads2 2 3600
start_homectl threads2 "0,1"
wait_url "http://127.0.0.1:$homectl_port/v1/sources/bench" 600
t2_url="http://127.0.0.1:$homectl_port/v1/sources/bench"
warm_up "$t2_url" 50
threads2=$(measure "$t2_url" 50)
stop "$homectl_pid"
stop "$fresh_upstream_pid"

# --- 3. Stale window: ttl 1 s, upstream answering after 300 ms --------------
log "stale window"
start_upstream 300
stale_upstream_pid=${pids[-1]}
homectl_config stale 1 1
start_homectl stale "$SERVER_CPU"
s_h_url="http://127.0.0.1:$homectl_port/v1/sources/bench"
start_nginx nginx-stale 1 1
s_n_url="http://127.0.0.1:$nginx_port/data"
wait_url "$s_h_url" 600
wait_url "$s_n_url" 600
sleep 1.2 # both entries are now stale
stale_h=$(measure "$s_h_url" 50)
stale_n=$(measure "$s_n_url" 50)
stale_refreshes=$(curl -fsS "http://127.0.0.1:$homectl_port/metrics" |
  awk '/^homectl_source_requests_total/ { n += $NF } END { print n + 0 }')
stop "$homectl_pid"
stop "$nginx_pid"
stop "$stale_upstream_pid"

# --- 4. /live --------------------------------------------------------------
log "/live"
homectl_config live 1
start_homectl live "$SERVER_CPU"
start_nginx nginx-live 1
l_h_url="http://127.0.0.1:$homectl_port/live"
l_n_url="http://127.0.0.1:$nginx_port/live"
wait_url "$l_n_url"
warm_up "$l_h_url" 50
warm_up "$l_n_url" 50
live_h=$(measure "$l_h_url" 50)
live_n=$(measure "$l_n_url" 50)
stop "$nginx_pid"
stop "$homectl_pid"

# --- 5. Memory: idle after start, then with $HOLD open connections ---------
log "memory"
start_upstream 0
mem_upstream_pid=${pids[-1]}
homectl_config memory 1 3600
start_homectl memory "$SERVER_CPU"
wait_url "http://127.0.0.1:$homectl_port/v1/sources/bench" 600
sleep 1
idle_rss=$(rss_kb "$homectl_pid")
# Of that: private anonymous memory (heap, stacks) and the proportional share
# of shared pages (library code is counted whole in RSS).
idle_anon=$(awk '/^RssAnon:/ { print $2 }' "/proc/$homectl_pid/status")
idle_pss=$(awk '/^Pss:/ { print $2 }' "/proc/$homectl_pid/smaps_rollup")
python3 "$BENCH_DIR/hold_connections.py" "$homectl_port" "$HOLD" /v1/sources/bench \
  >"$work/holder.out" &
holder_pid=$!
pids+=("$holder_pid")
for _ in $(seq 1 600); do # up to 60 s
  grep -q '^open' "$work/holder.out" && break
  sleep 0.1
done
held=$(awk '/^open/ { print $2 }' "$work/holder.out")
[ -n "$held" ] || { log "the $HOLD connections did not open"; exit 1; }
held_rss=$(rss_kb "$homectl_pid")
stop "$holder_pid"
stop "$homectl_pid"
stop "$mem_upstream_pid"

# --- 6. Start-to-ready and binary size -------------------------------------
log "start-to-ready"
homectl_config startup 1
startup=$(python3 "$BENCH_DIR/startup.py" "$STARTS" "$homectl_port" "$SERVER_CPU" \
  "$HOMECTL" serve --config "$work/startup.json")
startup_median=$(awk '/^median_ms/ { print $2 }' <<<"$startup")
startup_runs=$(awk '/^runs_ms/ { $1 = ""; print substr($0, 2) }' <<<"$startup")
size_built=$(stat -c %s "$HOMECTL")
strip -o "$work/homectl.stripped" "$HOMECTL"
size_stripped=$(stat -c %s "$work/homectl.stripped")

# --- Report ----------------------------------------------------------------
varnish="not installed"
if command -v varnishd >/dev/null 2>&1 || [ -x /usr/sbin/varnishd ]; then
  varnish="installed but not measured (no Varnish scenario in bench/report.sh yet)"
fi
commit=$(git -C "$BENCH_DIR/.." rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$BENCH_DIR/.." status --porcelain --untracked-files=no 2>/dev/null | head -1)
[ -n "$dirty" ] && commit="$commit (with uncommitted changes)"

ratio50=$(ratio "$(field "${hit[h50]}" 1)" "$(field "${hit[n50]}" 1)")
ratio500=$(ratio "$(field "${hit[h500]}" 1)" "$(field "${hit[n500]}" 1)")
target_get() { # h n ratio
  verdict "$3 >= 1.3 && $(field "$1" 4) <= $(field "$2" 4)"
}
live_ratio=$(ratio "$(field "$live_h" 1)" "$(field "$live_n" 1)")
scaling=$(ratio "$(field "$threads2" 1)" "$(field "${hit[h50]}" 1)")

mkdir -p "$(dirname "$OUT")"
{
  echo "# homectl performance report"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
  echo "| machine | $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(uname -sr) |"
  echo "| homectl | commit $commit, $("$HOMECTL" version 2>/dev/null | head -1) |"
  echo "| wrk | $(wrk -v 2>&1 | head -1 | awk '{ print $2 }') |"
  echo "| nginx | $("$NGINX" -v 2>&1 | sed 's|.*nginx/||') |"
  echo "| Varnish | $varnish |"
  echo "| load average at start / end | $load_at_start / $(cut -d' ' -f1-3 /proc/loadavg) |"
  echo
  if awk -v l="${load_at_start%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
    echo "**The machine was busy when this run started (load average ${load_at_start%% *} on"
    echo "$(nproc) CPUs): other work shared the cores, so these figures are not representative.**"
    echo
  fi
  echo "Servers pinned to core $SERVER_CPU (\`taskset\`), wrk (1 thread) to core $WRK_CPU;"
  echo "$DURATION per measurement after a $WARMUP warm-up; keep-alive connections;"
  echo "homectl with \`log.access = off\`, nginx with \`access_log off\`. The cached GET"
  echo "serves a 1 KB JSON body from a local upstream (\`bench/sources_upstream.py\`)"
  echo "through homectl's cache and nginx \`proxy_cache\` (\`bench/sources_nginx.conf\`)."
  echo "Compare figures within one run only: other load on the machine moves both."
  echo
  echo "## Cached GET /v1/sources/{name} (fresh hits)"
  echo
  table_head
  for c in 50 500; do
    row "$c connections" homectl "${hit[h$c]}"
    row "$c connections" nginx "${hit[n$c]}"
  done
  echo
  echo "| target | figure | result |"
  echo "|---|---|---|"
  echo "| 50 conn: ≥ 1.3× nginx req/s, p99 ≤ nginx | ${ratio50}×, p99 $(field "${hit[h50]}" 4) vs $(field "${hit[n50]}" 4) ms | $(target_get "${hit[h50]}" "${hit[n50]}" "$ratio50") |"
  echo "| 500 conn: ≥ 1.3× nginx req/s, p99 ≤ nginx | ${ratio500}×, p99 $(field "${hit[h500]}" 4) vs $(field "${hit[n500]}" 4) ms | $(target_get "${hit[h500]}" "${hit[n500]}" "$ratio500") |"
  echo
  echo "## server.threads 1 vs 2 (cached GET, 50 connections)"
  echo
  echo "threads 1 is pinned to core $SERVER_CPU (the row above); threads 2 may run on"
  echo "both cores (\`taskset -c 0,1\`), so on a 2-core machine it shares core $WRK_CPU with wrk."
  echo
  table_head
  row "threads 1" homectl "${hit[h50]}"
  row "threads 2" homectl "$threads2"
  echo
  echo "Scaling threads 2 / threads 1: ${scaling}×."
  echo
  echo "## Stale window vs pure hits (50 connections)"
  echo
  echo "ttl 1 s and an upstream that answers after 300 ms: requests keep being"
  echo "answered from the stale entry while one background refresh runs."
  echo "homectl made $stale_refreshes upstream fetches in the run (stale reads coalesce)."
  echo
  table_head
  row "pure hits" homectl "${hit[h50]}"
  row "stale window" homectl "$stale_h"
  row "pure hits" nginx "${hit[n50]}"
  row "stale window" nginx "$stale_n"
  echo
  echo "homectl p95 stale / hit: $(ratio "$(field "$stale_h" 3)" "$(field "${hit[h50]}" 3)")×."
  echo
  echo "## GET /live (50 connections)"
  echo
  table_head
  row "/live" homectl "$live_h"
  row "/live" nginx "$live_n"
  echo
  echo "Ratio homectl/nginx: ${live_ratio}× (goal ≥ 1: $(verdict "$live_ratio >= 1"))."
  echo
  echo "## Footprint"
  echo
  echo "| figure | value | target | result |"
  echo "|---|---:|---|---|"
  echo "| idle RSS after start (one source cached) | $(awk -v k="$idle_rss" 'BEGIN { printf "%.1f MiB", k / 1024 }') | ≤ 8 MiB | $(verdict "$idle_rss <= 8192") |"
  echo "| of which anonymous (heap, stacks) / PSS | $(awk -v a="$idle_anon" -v p="$idle_pss" 'BEGIN { printf "%.1f / %.1f MiB", a / 1024, p / 1024 }') | | |"
  echo "| RSS with $held open connections (one request each) | $(awk -v k="$held_rss" 'BEGIN { printf "%.1f MiB", k / 1024 }') | | |"
  echo "| start-to-ready (median of $STARTS; spawn → first 200 from /ready, ~1 ms polls) | $startup_median ms | ≤ 50 ms | $(verdict "$startup_median <= 50") |"
  echo "| binary as built ($(basename "$(dirname "$HOMECTL")")/homectl) | $(awk -v b="$size_built" 'BEGIN { printf "%.1f MiB", b / 1048576 }') | | |"
  echo "| binary stripped | $(awk -v b="$size_stripped" 'BEGIN { printf "%.1f MiB", b / 1048576 }') | | |"
  echo
  echo "Start-to-ready runs (ms): $startup_runs."
} >"$OUT"
log "wrote $OUT"
cat "$OUT"
