#include "homectl/docs/completion.hpp"
#include "homectl/util/strings.hpp"

#include <sstream>

// The bash script is data (which words are subcommands, which options take a
// value and how that value completes, per command path) plus one generic
// function that walks the command line. The walk finds the command path the
// cursor is in, so nested subcommands and global options after a subcommand
// complete the same way the parser reads them.
namespace homectl::docs {
namespace {

std::string kind_word(ValueKind kind, const std::vector<std::string>& choices) {
  switch (kind) {
  case ValueKind::none:
    return "none";
  case ValueKind::text:
    return "text";
  case ValueKind::file:
    return "file";
  case ValueKind::directory:
    return "dir";
  case ValueKind::source:
    return "source";
  case ValueKind::choice: {
    std::string out = "choice:";
    for (std::size_t i = 0; i < choices.size(); ++i) {
      out += (i > 0 ? " " : "") + choices[i];
    }
    return out;
  }
  }
  return "text";
}

void write_subcommands(std::ostream& out, const std::vector<CommandView>& views) {
  out << "# Subcommands at a command path (\"\" is the top level).\n"
         "__homectl_subcommands() {\n"
         "  case \"$1\" in\n";
  for (const auto& view : views) {
    if (view.command->subcommands.empty()) {
      continue;
    }
    const auto names = view.command->subcommand_names();
    out << "  " << shell_quote(view.path_string())
        << ") REPLY=" << shell_quote(util::join(names, " ")) << " ;;\n";
  }
  out << "  *) REPLY='' ;;\n  esac\n}\n\n";
}

void write_options(std::ostream& out, const std::vector<CommandView>& views) {
  out << "# Options accepted at a command path, global ones included.\n"
         "__homectl_options() {\n"
         "  case \"$1\" in\n";
  for (const auto& view : views) {
    std::vector<std::string> words;
    for (const auto* option : view.options) {
      for (const auto& spelling : option->spellings()) {
        words.push_back(spelling);
      }
    }
    out << "  " << shell_quote(view.path_string())
        << ") REPLY=" << shell_quote(util::join(words, " ")) << " ;;\n";
  }
  out << "  *) REPLY='' ;;\n  esac\n}\n\n";
}

void write_option_values(std::ostream& out, const std::vector<CommandView>& views) {
  out << "# How the value of option $2 at command path $1 completes: none (a flag),\n"
         "# text, file, dir, source or choice:WORDS.\n"
         "__homectl_option_value() {\n"
         "  case \"$1|$2\" in\n";
  for (const auto& view : views) {
    for (const auto* option : view.options) {
      if (!option->consumes_next_word()) {
        continue;
      }
      for (const auto& spelling : option->spellings()) {
        out << "  " << shell_quote(view.path_string() + "|" + spelling)
            << ") REPLY=" << shell_quote(kind_word(option->kind, option->choices)) << " ;;\n";
      }
    }
  }
  out << "  *) REPLY=none ;;\n  esac\n}\n\n";
}

void write_positionals(std::ostream& out, const std::vector<CommandView>& views) {
  out << "# How positional argument number $2 (from 0) at command path $1 completes.\n"
         "__homectl_positional() {\n"
         "  case \"$1|$2\" in\n";
  for (const auto& view : views) {
    const auto& positionals = view.command->positionals;
    for (std::size_t i = 0; i < positionals.size(); ++i) {
      const auto& p = positionals[i];
      const auto kind = shell_quote(kind_word(p.kind, p.choices));
      out << "  " << shell_quote(view.path_string() + "|" + std::to_string(i)) << ") REPLY=" << kind
          << " ;;\n";
      if (p.variadic && i + 1 == positionals.size()) {
        out << "  " << shell_quote(view.path_string() + "|") << "*) REPLY=" << kind << " ;;\n";
      }
    }
  }
  out << "  *) REPLY=text ;;\n  esac\n}\n\n";
}

constexpr std::string_view k_bash_sources =
    R"sh(# The configured source names (asks homectl itself, bounded in time).
__homectl_sources() {
  local prog=$1
  shift
  if command -v timeout >/dev/null 2>&1; then
    timeout 2 "$prog" "$@" --quiet docs sources 2>/dev/null
  else
    "$prog" "$@" --quiet docs sources 2>/dev/null
  fi
}

)sh";

constexpr std::string_view k_main = R"sh(# Fills COMPREPLY for a value of the given kind.
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
  source)@SOURCE@
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

complete -F _homectl @PROG@
)sh";

std::string replace_all(std::string text, std::string_view what, std::string_view with) {
  for (auto pos = text.find(what); pos != std::string::npos;
       pos = text.find(what, pos + with.size())) {
    text.replace(pos, what.size(), with);
  }
  return text;
}

} // namespace

std::string bash_completion(const CommandDoc& root) {
  const auto views = flatten(root);
  std::ostringstream out;
  out << "# bash completion for " << root.name << "                    -*- shell-script -*-\n"
      << "# Generated from the CLI definition by `" << root.name
      << " completion bash`; do not edit.\n"
      << "# Install: source it, or copy it to "
         "/usr/share/bash-completion/completions/"
      << root.name << ".\n\n";
  write_subcommands(out, views);
  write_options(out, views);
  write_option_values(out, views);
  write_positionals(out, views);
  const bool sources = needs_source_names(root);
  if (sources) {
    out << k_bash_sources;
  }
  auto main = replace_all(std::string(k_main), "@PROG@", root.name);
  main = replace_all(std::move(main), "@SOURCE@",
                     sources ? "\n    mapfile -t COMPREPLY < <(compgen -W \"$(__homectl_sources "
                               "\"$@\")\" -- \"$cur\")"
                             : "\n    COMPREPLY=()");
  out << main;
  return out.str();
}

} // namespace homectl::docs
