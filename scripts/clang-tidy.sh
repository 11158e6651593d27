#!/usr/bin/env bash
# Runs clang-tidy over src/ and cmd/, two processes at a time. Prints the
# findings; exits non-zero on any.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files 'src/*.cpp' 'cmd/*.cpp' | grep -v 'src/util/boost_asio.cpp' || true)
[[ -n "$files" ]] || exit 0
log=$(mktemp)
db=$(mktemp -d)
trap 'rm -rf "$log" "$db"' EXIT
# A compile database of its own, one entry per file: the build's lists unity
# batches and GCC's precompiled headers (clang cannot read them, and each file
# must compile from its own includes). Configuring writes it; nothing builds.
cmake -S . -B "$db" -DHOMECTL_UNITY=OFF -DHOMECTL_PCH=OFF -DHOMECTL_TESTS=OFF \
  -DHOMECTL_BENCH=OFF >/dev/null
status=0
echo "$files" | xargs -P 2 -n 4 clang-tidy -p "$db" --quiet --warnings-as-errors='*' \
  >"$log" 2>&1 || status=$?
grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated|^Suppressed [0-9]+ warnings|^Use -header-filter|^[0-9]+ warnings treated as errors' "$log" || true
if [[ $status -ne 0 ]]; then
  echo "clang-tidy: findings above (exit $status)" >&2
fi
exit "$status"
