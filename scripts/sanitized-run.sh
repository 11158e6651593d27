#!/usr/bin/env bash
# Runs a command with every sanitizer report (ASan, LSan, UBSan, TSan) from
# every process it starts, daemons and CLI children included, written to
# <reports-dir>; fails when any report appears, even if the command passed
# (a child's report would otherwise vanish with its output).
#   scripts/sanitized-run.sh <reports-dir> <command> [args...]
set -uo pipefail

reports=${1:?usage: sanitized-run.sh <reports-dir> <command> [args...]}
shift
rm -rf "$reports"
mkdir -p "$reports"
reports=$(cd "$reports" && pwd)

suppressions=$(cd "$(dirname "$0")/.." && pwd)/tests/sanitizers
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$suppressions/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=0:second_deadlock_stack=1:suppressions=$suppressions/tsan.supp"

"$@"
status=$?

found=$(find "$reports" -type f | sort)
if [ -n "$found" ]; then
  echo "sanitizers: $(wc -l <<<"$found") report(s) in $reports:" >&2
  for file in $found; do
    echo "=== $file" >&2
    head -n 60 "$file" >&2
  done
  exit 1
fi
[ "$status" -eq 0 ] && echo "sanitizers: no reports"
exit "$status"
