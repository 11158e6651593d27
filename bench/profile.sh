#!/usr/bin/env bash
# Instructions per request of the hot paths, measured with callgrind (a count
# of executed instructions does not depend on other load on the machine, so
# it compares builds reliably where wall-clock numbers cannot).
# For GET /live and a cached GET /v1/sources/{name}: runs `homectl serve`
# under callgrind, warms up, zeroes the counters, drives it with wrk for
# $PROFILE_DURATION, dumps, and prints Ir / requests served plus the top
# functions by self cost. The dumps stay in $PROFILE_DIR for
# callgrind_annotate / kcachegrind.
# Usage: bench/profile.sh [path/to/homectl]   (env: PROFILE_DURATION=5s PROFILE_DIR=build/profile)
set -euo pipefail

HOMECTL=${1:-build/homectl}
PROFILE_DURATION=${PROFILE_DURATION:-5s}
PROFILE_DIR=${PROFILE_DIR:-build/profile}
CONNECTIONS=${CONNECTIONS:-10}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_require wrk taskset python3 curl valgrind callgrind_control callgrind_annotate
mkdir -p "$PROFILE_DIR"
PROFILE_DIR=$(cd "$PROFILE_DIR" && pwd)

# profile NAME PATH → prints "NAME: Ir/request"; dump in $PROFILE_DIR/NAME.callgrind
profile() {
  local name=$1 path=$2 pid out requests total
  rm -f "$PROFILE_DIR/$name".callgrind*
  taskset -c "$SERVER_CPU" valgrind --tool=callgrind --callgrind-out-file="$PROFILE_DIR/$name.callgrind" \
    "$HOMECTL" serve --config "$work/$name.json" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_url "http://127.0.0.1:$homectl_port/ready" 1200
  wait_url "http://127.0.0.1:$homectl_port$path" 600
  taskset -c "$WRK_CPU" wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$homectl_port$path" >/dev/null
  callgrind_control -z "$pid" >/dev/null 2>&1
  out=$(taskset -c "$WRK_CPU" wrk -t1 -c"$CONNECTIONS" -d"$PROFILE_DURATION" "http://127.0.0.1:$homectl_port$path")
  callgrind_control -d "$pid" >/dev/null 2>&1
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  stop "$pid"
  # The dump taken on request is NAME.callgrind.1; its totals are the measured window.
  total=$(awk '/^(summary|totals):/ { print $2; exit }' "$PROFILE_DIR/$name.callgrind.1")
  awk -v n="$name" -v t="$total" -v r="$requests" \
    'BEGIN { printf "%s: %d requests, %.0f Ir/request\n", n, r, t / r }'
  # Self cost per function; the frames that were active when the counters
  # were zeroed show up at 100% and are dropped.
  callgrind_annotate --threshold=100 --auto=no "$PROFILE_DIR/$name.callgrind.1" \
    >"$work/$name.annotate" 2>/dev/null
  sed -n '/file:function/,$p' "$work/$name.annotate" | grep -v '(100.0%)' |
    awk 'NR <= 40' >"$PROFILE_DIR/$name.top.txt"
}

homectl_config live 1
profile live /live

start_upstream 0
homectl_config source 1 3600
profile source /v1/sources/bench

echo "top functions by self cost: $PROFILE_DIR/{live,source}.top.txt"
