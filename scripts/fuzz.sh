#!/usr/bin/env bash
# Builds the libFuzzer targets in a separate clang tree and runs each one for a
# bounded time: scripts/fuzz.sh <build-dir> <seconds> [target...]
# Seeds come from tests/fuzz/corpus/<target>/ (read only); new inputs go to
# <build-dir>/corpus/<target>/ and crashing inputs to <build-dir>/artifacts/.
set -euo pipefail

build=${1:?usage: fuzz.sh <build-dir> <seconds> [target...]}
seconds=${2:?usage: fuzz.sh <build-dir> <seconds> [target...]}
shift 2
jobs=${JOBS:-2}
source_dir=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi

CC=clang CXX=clang++ cmake -S "$source_dir" -B "$build" -DHOMECTL_FUZZ=ON -DHOMECTL_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOMECTL_DEBUG_INFO=lines >/dev/null
cmake --build "$build" -j"$jobs" --target homectl_fuzz

if [ $# -eq 0 ]; then
  set -- $(cd "$source_dir/tests/fuzz" && ls -- *_fuzz.cpp | sed 's/_fuzz\.cpp$//')
fi

mkdir -p "$build/artifacts"
failed=()
for target in "$@"; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  echo "== fuzz $target for ${seconds}s"
  if ! "$build/tests/fuzz/${target}_fuzz" "$corpus" "$source_dir/tests/fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/${target}-" 2>"$build/$target.log"; then
    failed+=("$target")
    # The finding, its stack and the input (libFuzzer prints it in Base64),
    # not the statistics that follow them.
    grep -m1 -A40 -E '^==[0-9]+== ?ERROR|runtime error:|deadly signal' "$build/$target.log" \
      | head -n 60 >&2 || tail -n 40 "$build/$target.log" >&2
    grep -E '^(Test unit written to|Base64:)' "$build/$target.log" >&2 || true
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' \
    "$build/$target.log" || true
  grep -E '^#[0-9]+[[:space:]]+DONE' "$build/$target.log" || true
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (reproducers in $build/artifacts/)" >&2
  exit 1
fi
echo "fuzz: all targets ran ${seconds}s without a finding"
