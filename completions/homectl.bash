# bash completion for homectl                    -*- shell-script -*-
# Generated from the CLI definition by `homectl completion bash`; do not edit.
# Install: source it, or copy it to /usr/share/bash-completion/completions/homectl.

# Subcommands at a command path ("" is the top level).
__homectl_subcommands() {
  case "$1" in
  '') REPLY='serve check-ready metrics config cache watchdog completion version' ;;
  'config') REPLY='validate show schema env' ;;
  'cache') REPLY='warm' ;;
  *) REPLY='' ;;
  esac
}

# Options accepted at a command path, global ones included.
__homectl_options() {
  case "$1" in
  '') REPLY='-h --help -V --version --config --log-level -q --quiet' ;;
  'serve') REPLY='-h --help -V --version --config --log-level -q --quiet' ;;
  'check-ready') REPLY='-h --help -V --version --config --log-level -q --quiet --url --token --timeout -v --verbose --json' ;;
  'metrics') REPLY='-h --help -V --version --config --log-level -q --quiet --url --token --timeout --format --watch --history' ;;
  'config') REPLY='-h --help -V --version --config --log-level -q --quiet' ;;
  'config validate') REPLY='-h --help -V --version --config --log-level -q --quiet --json --strict' ;;
  'config show') REPLY='-h --help -V --version --config --log-level -q --quiet --origin' ;;
  'config schema') REPLY='-h --help -V --version --config --log-level -q --quiet' ;;
  'config env') REPLY='-h --help -V --version --config --log-level -q --quiet' ;;
  'cache') REPLY='-h --help -V --version --config --log-level -q --quiet' ;;
  'cache warm') REPLY='-h --help -V --version --config --log-level -q --quiet --url --token --concurrency --wait --timeout --max-wait' ;;
  'watchdog') REPLY='-h --help -V --version --config --log-level -q --quiet --url --token --once --test-notify --state-file --timeout --interval' ;;
  'completion') REPLY='-h --help -V --version --config --log-level -q --quiet' ;;
  'version') REPLY='-h --help -V --version --config --log-level -q --quiet --json' ;;
  *) REPLY='' ;;
  esac
}

# How the value of option $2 at command path $1 completes: none (a flag),
# text, file, dir, source or choice:WORDS.
__homectl_option_value() {
  case "$1|$2" in
  '|--config') REPLY='file' ;;
  '|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'serve|--config') REPLY='file' ;;
  'serve|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'check-ready|--config') REPLY='file' ;;
  'check-ready|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'check-ready|--url') REPLY='text' ;;
  'check-ready|--token') REPLY='text' ;;
  'check-ready|--timeout') REPLY='text' ;;
  'metrics|--config') REPLY='file' ;;
  'metrics|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'metrics|--url') REPLY='text' ;;
  'metrics|--token') REPLY='text' ;;
  'metrics|--timeout') REPLY='text' ;;
  'metrics|--format') REPLY='choice:table prom json' ;;
  'config|--config') REPLY='file' ;;
  'config|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'config validate|--config') REPLY='file' ;;
  'config validate|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'config show|--config') REPLY='file' ;;
  'config show|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'config schema|--config') REPLY='file' ;;
  'config schema|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'config env|--config') REPLY='file' ;;
  'config env|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'cache|--config') REPLY='file' ;;
  'cache|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'cache warm|--config') REPLY='file' ;;
  'cache warm|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'cache warm|--url') REPLY='text' ;;
  'cache warm|--token') REPLY='text' ;;
  'cache warm|--concurrency') REPLY='text' ;;
  'cache warm|--wait') REPLY='text' ;;
  'cache warm|--timeout') REPLY='text' ;;
  'cache warm|--max-wait') REPLY='text' ;;
  'watchdog|--config') REPLY='file' ;;
  'watchdog|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'watchdog|--url') REPLY='text' ;;
  'watchdog|--token') REPLY='text' ;;
  'watchdog|--state-file') REPLY='file' ;;
  'watchdog|--timeout') REPLY='text' ;;
  'watchdog|--interval') REPLY='text' ;;
  'completion|--config') REPLY='file' ;;
  'completion|--log-level') REPLY='choice:trace debug info warn error off' ;;
  'version|--config') REPLY='file' ;;
  'version|--log-level') REPLY='choice:trace debug info warn error off' ;;
  *) REPLY=none ;;
  esac
}

# How positional argument number $2 (from 0) at command path $1 completes.
__homectl_positional() {
  case "$1|$2" in
  'config validate|0') REPLY='file' ;;
  'cache warm|0') REPLY='source' ;;
  'cache warm|'*) REPLY='source' ;;
  'completion|0') REPLY='choice:bash zsh fish' ;;
  *) REPLY=text ;;
  esac
}

# The configured source names (asks homectl itself, bounded in time).
__homectl_sources() {
  local prog=$1
  shift
  if command -v timeout >/dev/null 2>&1; then
    timeout 2 "$prog" "$@" --quiet docs sources 2>/dev/null
  else
    "$prog" "$@" --quiet docs sources 2>/dev/null
  fi
}

# Fills COMPREPLY for a value of the given kind.
__homectl_complete_value() {
  local kind=$1 cur=$2
  shift 2
  case "$kind" in
  choice:*)
    mapfile -t COMPREPLY < <(compgen -W "${kind#choice:}" -- "$cur")
    ;;
  file)
    if declare -F _filedir >/dev/null 2>&1; then
      _filedir
    else
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
    ;;
  dir)
    if declare -F _filedir >/dev/null 2>&1; then
      _filedir -d
    else
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
    fi
    ;;
  source)
    mapfile -t COMPREPLY < <(compgen -W "$(__homectl_sources "$@")" -- "$cur")
    ;;
  *)
    COMPREPLY=()
    ;;
  esac
}

_homectl() {
  local cur prev words cword split=false
  if declare -F _init_completion >/dev/null 2>&1; then
    _init_completion -s || return
  else
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
    cur=${words[cword]}
    prev=${words[cword - 1]}
  fi

  # Walk the words before the cursor: find the command path, count positional
  # arguments, skip option values and remember --config for source names.
  local path='' npos=0 i word REPLY
  local -a config_args=()
  for ((i = 1; i < cword; i++)); do
    word=${words[i]}
    case "$word" in
    --config=*)
      config_args=("$word")
      continue
      ;;
    --*=*)
      continue
      ;;
    -*)
      __homectl_option_value "$path" "$word"
      if [[ $REPLY != none ]]; then
        if [[ $word == --config && $((i + 1)) -lt $cword ]]; then
          config_args=(--config "${words[i + 1]}")
        fi
        ((i++))
      fi
      continue
      ;;
    esac
    __homectl_subcommands "$path"
    if [[ $npos -eq 0 && " $REPLY " == *" $word "* ]]; then
      path=${path:+$path }$word
    else
      ((npos++))
    fi
  done

  if [[ $split == true ]]; then
    __homectl_option_value "$path" "$prev"
    __homectl_complete_value "$REPLY" "$cur" "${words[0]}" "${config_args[@]}"
    return
  fi
  if [[ $cword -gt 1 && $prev == -* ]]; then
    __homectl_option_value "$path" "$prev"
    if [[ $REPLY != none ]]; then
      __homectl_complete_value "$REPLY" "$cur" "${words[0]}" "${config_args[@]}"
      return
    fi
  fi
  if [[ $cur == -* ]]; then
    __homectl_options "$path"
    mapfile -t COMPREPLY < <(compgen -W "$REPLY" -- "$cur")
    return
  fi
  __homectl_subcommands "$path"
  if [[ -n $REPLY && $npos -eq 0 ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$REPLY" -- "$cur")
    return
  fi
  __homectl_positional "$path" "$npos"
  __homectl_complete_value "$REPLY" "$cur" "${words[0]}" "${config_args[@]}"
}

complete -F _homectl homectl
