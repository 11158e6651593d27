#!/usr/bin/env bash
# Loads completions/homectl.bash into a real bash with bash-completion and
# checks what TAB offers for each case in lib/completion_cases.sh.
set -uo pipefail
homectl=$1 src=$2
bash_completion=/usr/share/bash-completion/bash_completion
if [[ ! -r $bash_completion ]]; then
  echo "SKIP: bash-completion is not installed ($bash_completion missing)"
  exit 77
fi
source "$src/tests/scripts/lib/completion_cases.sh"
# The test must complete the binary under test, not whatever homectl is on PATH.
PATH=$(dirname "$homectl"):$PATH

# Runs the completion function for one command line in a fresh bash and prints
# the offered words, one per line.
offered() {
  bash --norc --noprofile -c '
    source "$1" && source "$2" || exit 2
    line=$3
    COMP_LINE=$line
    COMP_POINT=${#line}
    read -ra COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    complete -p homectl >/dev/null || exit 3
    _homectl homectl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"
  ' _ "$bash_completion" "$src/completions/homectl.bash" "$1"
}

failures=0
while IFS='|' read -r line expected; do
  got=$(offered "$line")
  for word in $expected; do
    if ! grep -qxF -- "$word" <<<"$got"; then
      echo "FAIL: bash: '$line<TAB>' does not offer '$word'; offered: $(tr '\n' ' ' <<<"$got")"
      failures=$((failures + 1))
    fi
  done
done < <(completion_cases)
[[ $failures -eq 0 ]] && echo "bash: all completion cases pass"
exit $((failures > 0))
