#!/usr/bin/env bash
# Loads completions/_homectl into a real interactive zsh (through zsh/zpty) and
# checks what TAB offers for each case in lib/completion_cases.sh: the words
# of the listing, or the word TAB inserted when the match is unique.
set -uo pipefail
homectl=$1 src=$2
if ! command -v zsh >/dev/null; then
  echo "SKIP: zsh is not installed"
  exit 77
fi
if ! zsh -fc 'zmodload zsh/zpty' 2>/dev/null; then
  echo "SKIP: zsh has no zsh/zpty module"
  exit 77
fi
source "$src/tests/scripts/lib/completion_cases.sh"
PATH=$(dirname "$homectl"):$PATH
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src/completions/_homectl" "$work/_homectl"

failures=0
while IFS='|' read -r line expected; do
  raw=$(timeout 20 zsh -f "$src/tests/scripts/lib/zsh_complete.zsh" "$work" "$line" "$work/zcompdump")
  rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "FAIL: zsh: '$line<TAB>': the pseudo-terminal session failed (exit $rc)"
    failures=$((failures + 1))
    continue
  fi
  # Keep what follows the typed line; drop terminal escapes and carriage returns.
  got=$(sed -e 's/\x1b\[[0-9;?]*[A-Za-z]/ /g' -e 's/\r/ /g' -e 's/\x07/ /g' <<<"${raw##*<<READY>>}" |
    tr -s ' \t' '\n\n')
  for word in $expected; do
    if ! grep -qxF -- "$word" <<<"$(sed -e 's/^<<BUFFER://' -e 's/>>$//' <<<"$got")"; then
      echo "FAIL: zsh: '$line<TAB>' does not offer '$word'; terminal showed: $(tr '\n' ' ' <<<"$got")"
      failures=$((failures + 1))
    fi
  done
done < <(completion_cases)
[[ $failures -eq 0 ]] && echo "zsh: all completion cases pass"
exit $((failures > 0))
