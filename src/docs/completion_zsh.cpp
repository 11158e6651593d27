#include "homectl/docs/completion.hpp"

#include <sstream>

// The zsh script has one function per command path, each an `_arguments` call
// with that command's options (global ones included) and either its
// positionals or a state that dispatches to the subcommand's function.
namespace homectl::docs {
namespace {

std::string function_name(const CommandView& view) {
  std::string out = "_homectl";
  for (const auto& part : view.path) {
    out += "__";
    for (char c : part) {
      out += (c == '-' ? '_' : c);
    }
  }
  return out;
}

// Escapes text for the inside of an `_arguments` description ("[...]") or
// message, which sits inside single quotes in the script.
std::string escape_description(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else if (c == '[' || c == ']' || c == ':' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string action(ValueKind kind, const std::vector<std::string>& choices) {
  switch (kind) {
  case ValueKind::choice: {
    std::string out = "(";
    for (std::size_t i = 0; i < choices.size(); ++i) {
      out += (i > 0 ? " " : "") + escape_description(choices[i]);
    }
    return out + ")";
  }
  case ValueKind::file:
    return "_files";
  case ValueKind::directory:
    return "_files -/";
  case ValueKind::source:
    return "_homectl_sources";
  case ValueKind::none:
  case ValueKind::text:
    return " ";
  }
  return " ";
}

std::string option_spec(const OptionDoc& option) {
  const auto spellings = option.spellings();
  std::string exclusion;
  if (!option.repeatable && spellings.size() > 1) {
    exclusion = "(";
    for (std::size_t i = 0; i < spellings.size(); ++i) {
      exclusion += (i > 0 ? " " : "") + spellings[i];
    }
    exclusion += ")";
  }
  std::string tail = "[" + escape_description(option.help) + "]";
  if (option.takes_value()) {
    tail += (option.value_optional ? "::" : ":") + escape_description(option.value_name) + ":" +
            action(option.kind, option.choices);
  }
  // A required value may be the next word or follow "="; an optional one only "=".
  auto spelled = [&](const std::string& s) {
    if (!option.takes_value()) {
      return s;
    }
    if (option.value_optional) {
      return s + (s.starts_with("--") ? "=-" : "-");
    }
    return s + (s.starts_with("--") ? "=" : "+");
  };
  const std::string star = option.repeatable ? "*" : "";
  if (spellings.size() == 1) {
    return "'" + exclusion + star + spelled(spellings.front()) + tail + "'";
  }
  std::string out = "'" + exclusion + "'" + star + "{";
  for (std::size_t i = 0; i < spellings.size(); ++i) {
    out += (i > 0 ? "," : "") + spelled(spellings[i]);
  }
  return out + "}'" + tail + "'";
}

void write_function(std::ostream& out, const CommandView& view) {
  const auto& command = *view.command;
  const bool has_subcommands = !command.subcommands.empty();
  out << function_name(view) << "() {\n";
  if (has_subcommands) {
    out << "  local curcontext=\"$curcontext\" state state_descr line ret=1\n"
           "  typeset -A opt_args\n"
           "  _arguments -C -s -S \\\n";
  } else {
    out << "  _arguments -s -S \\\n";
  }
  for (const auto* option : view.options) {
    out << "    " << option_spec(*option) << " \\\n";
  }
  if (has_subcommands) {
    out << "    '1: :->command' \\\n"
           "    '*:: :->argument' && ret=0\n"
           "  case $state in\n"
           "  command)\n"
           "    local -a commands=(\n";
    for (const auto& sub : command.subcommands) {
      out << "      " << shell_quote(sub.name + ":" + escape_description(sub.summary)) << "\n";
    }
    out << "    )\n"
           "    _describe -t commands 'command' commands && ret=0\n"
           "    ;;\n"
           "  argument)\n"
           "    curcontext=\"${curcontext%:*:*}:"
        << "homectl" << (view.path.empty() ? "" : "-") << view.path_string()
        << "-$words[1]:\"\n"
           "    case $words[1] in\n";
    for (const auto& sub : command.subcommands) {
      auto sub_view = view;
      sub_view.path.push_back(sub.name);
      out << "    " << sub.name << ") " << function_name(sub_view) << " && ret=0 ;;\n";
    }
    out << "    esac\n"
           "    ;;\n"
           "  esac\n"
           "  return ret\n";
  } else {
    const auto& positionals = command.positionals;
    for (std::size_t i = 0; i < positionals.size(); ++i) {
      const auto& p = positionals[i];
      const auto tail = ":" + escape_description(p.name) + ":" + action(p.kind, p.choices) + "'";
      if (p.variadic) {
        out << "    '*" << tail << " \\\n";
      } else {
        out << "    '" << (i + 1) << (p.required ? "" : ":") << tail << " \\\n";
      }
    }
    out << "    && return 0\n"
           "  return 1\n";
  }
  out << "}\n\n";
}

constexpr std::string_view k_zsh_sources =
    R"sh(# The configured source names (asks homectl itself, bounded in time).
_homectl_sources() {
  local -a sources config_args
  local i
  for ((i = 1; i < CURRENT; i++)); do
    case $words[i] in
    --config=*) config_args=($words[i]) ;;
    --config) config_args=(--config $words[i+1]) ;;
    esac
  done
  if (( $+commands[timeout] )); then
    sources=(${(f)"$(timeout 2 homectl $config_args --quiet docs sources 2>/dev/null)"})
  else
    sources=(${(f)"$(homectl $config_args --quiet docs sources 2>/dev/null)"})
  fi
  _describe -t sources 'source' sources
}

)sh";

} // namespace

std::string zsh_completion(const CommandDoc& root) {
  std::ostringstream out;
  out << "#compdef " << root.name << "\n"
      << "# zsh completion for " << root.name << ". Generated from the CLI definition by `"
      << root.name << " completion zsh`; do not edit.\n"
      << "# Install: copy it as _" << root.name << " into a directory on $fpath.\n\n";
  if (needs_source_names(root)) {
    out << k_zsh_sources;
  }
  const auto views = flatten(root);
  for (auto it = views.rbegin(); it != views.rend(); ++it) {
    write_function(out, *it);
  }
  out << "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
         "  _homectl \"$@\"\n"
         "else\n"
         "  compdef _homectl "
      << root.name
      << "\n"
         "fi\n";
  return out.str();
}

} // namespace homectl::docs
