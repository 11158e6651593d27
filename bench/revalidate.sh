#!/usr/bin/env bash
# What conditional refreshes save (`make bench-revalidate`): a 100 KB file
# that never changes, served by Python's http.server (which honours
# If-Modified-Since), refreshed every second for $SECONDS_RUN seconds by
# homectl with `revalidate` on and then off. Reports the upstream body bytes
# homectl counted (homectl_source_upstream_bytes_total), the refreshes by
# outcome and the answers the upstream logged. Markdown on stdout.
# Usage: bench/revalidate.sh [path/to/homectl]   (env: SECONDS_RUN=60 SIZE=102400)
set -euo pipefail

HOMECTL=${1:-build/homectl}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_require python3 curl
SECONDS_RUN=${SECONDS_RUN:-60}
SIZE=${SIZE:-102400}

mkdir -p "$work/www"
python3 -c "import sys; sys.stdout.write('{\"pad\": \"' + 'x' * ($SIZE - 11) + '\"}')" >"$work/www/data.json"
touch -d '1 hour ago' "$work/www/data.json"
upstream_port=$(free_port)
python3 -u -m http.server --bind 127.0.0.1 --directory "$work/www" "$upstream_port" \
  2>"$work/upstream.log" >/dev/null &
pids+=($!)
upstream_pid=$!
wait_url "http://127.0.0.1:$upstream_port/data.json"

# metric TEXT NAME LABELS → the sample's value, 0 when absent
metric() { awk -v s="$2{$3}" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }' <<<"$1"; }

# run REVALIDATE → "bytes ok not_modified upstream_200 upstream_304"
run() {
  local port config pid text before200 before304
  port=$(free_port)
  config="$work/homectl-$1.json"
  cat >"$config" <<JSON
{ "server": { "listen": "127.0.0.1:$port" }, "log": { "level": "warn", "access": "off" },
  "sources": { "file": { "url": "http://127.0.0.1:$upstream_port/data.json", "ttl": "1s",
                         "refresh": "1s", "max_size": "1MiB", "revalidate": $1 } } }
JSON
  before200=$(grep -c '" 200 -' "$work/upstream.log" || true)
  before304=$(grep -c '" 304 -' "$work/upstream.log" || true)
  "$HOMECTL" serve --config "$config" >"$work/homectl-$1.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_url "http://127.0.0.1:$port/live"
  sleep "$SECONDS_RUN"
  text=$(curl -fsS "http://127.0.0.1:$port/metrics")
  stop "$pid"
  echo "$(metric "$text" homectl_source_upstream_bytes_total 'source="file"')" \
    "$(metric "$text" homectl_source_requests_total 'source="file",outcome="ok"')" \
    "$(metric "$text" homectl_source_requests_total 'source="file",outcome="not_modified"')" \
    "$(($(grep -c '" 200 -' "$work/upstream.log" || true) - before200))" \
    "$(($(grep -c '" 304 -' "$work/upstream.log" || true) - before304))"
}

echo "bench: revalidate on, ${SECONDS_RUN}s" >&2
read -r on_bytes on_ok on_nm on_200 on_304 <<<"$(run true)"
echo "bench: revalidate off, ${SECONDS_RUN}s" >&2
read -r off_bytes off_ok off_nm off_200 off_304 <<<"$(run false)"
stop "$upstream_pid"

echo "Upstream: a ${SIZE}-byte file that never changes (python3 http.server), refreshed"
echo "every second for ${SECONDS_RUN} s; $(date -u +%Y-%m-%d), $(nproc) cores, commit $(git -C "$BENCH_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)."
echo
echo "| revalidate | upstream body bytes | refreshes ok | refreshes not_modified | upstream 200s | upstream 304s |"
echo "|---|---:|---:|---:|---:|---:|"
printf '| true | %.0f | %.0f | %.0f | %s | %s |\n' "$on_bytes" "$on_ok" "$on_nm" "$on_200" "$on_304"
printf '| false | %.0f | %.0f | %.0f | %s | %s |\n' "$off_bytes" "$off_ok" "$off_nm" "$off_200" "$off_304"
awk -v a="$on_bytes" -v b="$off_bytes" 'BEGIN {
  if (b > 0) printf "\nWith revalidation the upstream sent %.1f%% of the body bytes it sent without.\n", 100 * a / b }'
