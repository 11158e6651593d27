#!/usr/bin/env bash
# What the in-memory history costs (`make bench-history`): 20 command sources
# with 3 values each, at the history defaults (one reading a minute, 48 h),
# against the same daemon and sources with `history.enabled` false, both
# running at once. Reports homectl_history_bytes, the series kept and both
# daemons' resident memory once the first interval has been recorded (every
# ring is allocated whole when its series first appears, so that is the
# figure for the whole 48 h); every source is read once a second meanwhile.
# Takes one to three minutes. Markdown on stdout.
# Usage: bench/history.sh [path/to/homectl]   (env: SOURCES=20 VALUES=3 INTERVAL=60s)
set -euo pipefail

HOMECTL=${1:-build/homectl}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_require python3 curl
SOURCES=${SOURCES:-20}
VALUES=${VALUES:-3}
INTERVAL=${INTERVAL:-60s}

# config PORT ENABLED → the configuration on stdout
config() {
  python3 - "$1" "$2" "$SOURCES" "$VALUES" "$INTERVAL" <<'PY'
import json, sys
port, enabled, sources, values, interval = sys.argv[1], sys.argv[2] == "true", int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
body = json.dumps({f"v{i}": i * 1.5 for i in range(values)})
print(json.dumps({
    "server": {"listen": f"127.0.0.1:{port}"},
    "log": {"level": "warn", "access": "off"},
    "history": {"enabled": enabled, "interval": interval},
    "sources": {f"source-{s:02d}": {"command": ["/bin/echo", body], "ttl": "30s", "refresh": "30s",
                                     "values": {f"v{i}": f"/v{i}" for i in range(values)}}
                for s in range(sources)},
}))
PY
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

start() { # ENABLED → "port pid"
  local port pid
  port=$(free_port)
  config "$port" "$1" >"$work/homectl-$1.json"
  "$HOMECTL" serve --config "$work/homectl-$1.json" >"$work/homectl-$1.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_url "http://127.0.0.1:$port/live"
  echo "$port $pid"
}

read -r on_port on_pid <<<"$(start true)"
read -r off_port off_pid <<<"$(start false)"
want=$((4 + SOURCES * 4 + SOURCES * VALUES))
echo "bench: waiting for the first interval to be recorded ($want series)" >&2
series=0
for _ in $(seq 1 300); do
  # Reads of every source, so the request, latency and hit-ratio series exist.
  for s in $(seq -f '%02g' 0 $((SOURCES - 1))); do
    curl -fsS -o /dev/null "http://127.0.0.1:$on_port/v1/sources/source-$s"
  done
  series=$(curl -fsS "http://127.0.0.1:$on_port/v1/history" |
    python3 -c 'import json, sys; print(len(json.load(sys.stdin)["series"]))')
  echo "bench: $series series" >&2
  [ "$series" -ge "$want" ] && break
  sleep 1
done
sleep 2
bytes=$(curl -fsS "http://127.0.0.1:$on_port/metrics" | awk '$1 == "homectl_history_bytes" { print $2 }')
on_rss=$(rss_kib "$on_pid")
off_rss=$(rss_kib "$off_pid")

echo "History at history.interval $INTERVAL, 48 h: $SOURCES command sources with $VALUES values each;"
echo "$(date -u +%F), $(nproc) cores, commit $(git -C "$BENCH_DIR/.." rev-parse --short HEAD 2>/dev/null || echo unknown)."
echo
echo "| history | series | homectl_history_bytes | MiB | resident memory (KiB) |"
echo "|---|---:|---:|---:|---:|"
awk -v s="$series" -v b="$bytes" -v r="$on_rss" \
  'BEGIN { printf "| on | %d | %d | %.2f | %d |\n", s, b, b / 1048576, r }'
echo "| off | 0 | 0 | 0 | $off_rss |"
echo
awk -v b="$bytes" -v on="$on_rss" -v off="$off_rss" 'BEGIN {
  printf "The history holds %.2f MiB (target: at most 4 MiB); the daemon with it is %.2f MiB larger than without.\n",
    b / 1048576, (on - off) / 1024 }'
