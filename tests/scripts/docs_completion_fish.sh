#!/usr/bin/env bash
# Loads completions/homectl.fish into a real fish and checks what TAB offers
# (`complete -C`) for each case in lib/completion_cases.sh.
set -uo pipefail
homectl=$1 src=$2
if ! command -v fish >/dev/null; then
  echo "SKIP: fish is not installed"
  exit 77
fi
source "$src/tests/scripts/lib/completion_cases.sh"
PATH=$(dirname "$homectl"):$PATH

failures=0
while IFS='|' read -r line expected; do
  got=$(timeout 20 fish --no-config -c 'source $argv[1]; or exit 2; complete -C $argv[2]' \
    "$src/completions/homectl.fish" "$line" | cut -f1)
  for word in $expected; do
    if ! grep -qxF -- "$word" <<<"$got"; then
      echo "FAIL: fish: '$line<TAB>' does not offer '$word'; offered: $(tr '\n' ' ' <<<"$got")"
      failures=$((failures + 1))
    fi
  done
done < <(completion_cases)
[[ $failures -eq 0 ]] && echo "fish: all completion cases pass"
exit $((failures > 0))
