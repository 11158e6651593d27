#include "homectl/docs/completion.hpp"
#include "homectl/util/strings.hpp"

#include <sstream>

// The fish script walks the command line once (__homectl_path) to find the
// command path the cursor is in, and every completion is conditioned on that
// path, so nested subcommands and inherited global options need no special
// cases.
namespace homectl::docs {
namespace {

std::string fish_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') {
      out += '\\';
    }
    out += (c == '\n' ? ' ' : c);
  }
  return out + "'";
}

void write_data(std::ostream& out, const std::vector<CommandView>& views) {
  out << "# Subcommands at a command path (\"\" is the top level).\n"
         "function __homectl_subcommands --argument-names path\n"
         "    switch $path\n";
  for (const auto& view : views) {
    if (view.command->subcommands.empty()) {
      continue;
    }
    const auto names = view.command->subcommand_names();
    out << "        case " << fish_quote(view.path_string()) << "\n            printf '%s\\n' "
        << util::join(names, " ") << "\n";
  }
  out << "    end\nend\n\n";

  out << "# True when option $option at command path $path takes a value.\n"
         "function __homectl_takes_value --argument-names path option\n"
         "    switch \"$path|$option\"\n";
  std::vector<std::string> patterns;
  for (const auto& view : views) {
    for (const auto* option : view.options) {
      if (!option->consumes_next_word()) {
        continue;
      }
      for (const auto& spelling : option->spellings()) {
        patterns.push_back(fish_quote(view.path_string() + "|" + spelling));
      }
    }
  }
  if (!patterns.empty()) {
    out << "        case " << util::join(patterns, " ") << "\n            return 0\n";
  }
  out << "    end\n    return 1\nend\n\n";
}

constexpr std::string_view k_walk =
    R"sh(# The command path of the command line before the cursor, e.g. "config show".
function __homectl_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path ''
    set -l skip 0
    set -l positionals 0
    for token in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $token
            case '--*=*'
                continue
            case '-*'
                if __homectl_takes_value "$path" $token
                    set skip 1
                end
                continue
        end
        if test $positionals -eq 0; and contains -- $token (__homectl_subcommands "$path")
            if test -z "$path"
                set path $token
            else
                set path "$path $token"
            end
        else
            set positionals (math $positionals + 1)
        end
    end
    echo $path
end

# True when the cursor is at command path $argv[1].
function __homectl_at --argument-names want
    set -l path (__homectl_path)
    test "$path" = "$want"
end

)sh";

constexpr std::string_view k_fish_sources =
    R"sh(# The configured source names (asks homectl itself, bounded in time).
function __homectl_sources
    set -l config_args
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case '--config=*'
                set config_args $tokens[$i]
            case --config
                set -l next (math $i + 1)
                if test $next -le (count $tokens)
                    set config_args --config $tokens[$next]
                end
        end
    end
    if command -q timeout
        timeout 2 homectl $config_args --quiet docs sources 2>/dev/null
    else
        homectl $config_args --quiet docs sources 2>/dev/null
    end
end

)sh";

std::string value_flags(ValueKind kind, const std::vector<std::string>& choices) {
  switch (kind) {
  case ValueKind::none:
    return "";
  case ValueKind::choice:
    return " -x -a " + fish_quote(util::join(choices, " "));
  case ValueKind::file:
    return " -r -F";
  case ValueKind::directory:
    return " -x -a '(__fish_complete_directories)'";
  case ValueKind::source:
    return " -x -a '(__homectl_sources)'";
  case ValueKind::text:
    return " -x";
  }
  return " -x";
}

void write_command(std::ostream& out, const CommandView& view, const std::string& prog) {
  const auto condition = "-n " + fish_quote("__homectl_at " + fish_quote(view.path_string()));
  const auto prefix = "complete -c " + prog + " " + condition;
  for (const auto& sub : view.command->subcommands) {
    out << prefix << " -a " << fish_quote(sub.name) << " -d " << fish_quote(sub.summary) << "\n";
  }
  for (const auto& p : view.command->positionals) {
    switch (p.kind) {
    case ValueKind::choice:
      out << prefix << " -a " << fish_quote(util::join(p.choices, " ")) << " -d "
          << fish_quote(p.help) << "\n";
      break;
    case ValueKind::file:
    case ValueKind::directory:
      out << prefix << " -F\n";
      break;
    case ValueKind::source:
      out << prefix << " -a '(__homectl_sources)' -d " << fish_quote(p.help) << "\n";
      break;
    case ValueKind::none:
    case ValueKind::text:
      break;
    }
  }
  for (const auto* option : view.options) {
    out << prefix;
    for (const auto& s : option->short_names) {
      out << " -s " << s;
    }
    for (const auto& l : option->long_names) {
      out << " -l " << l;
    }
    out << (option->value_optional ? "" : value_flags(option->kind, option->choices)) << " -d "
        << fish_quote(option->help) << "\n";
  }
}

} // namespace

std::string fish_completion(const CommandDoc& root) {
  const auto views = flatten(root);
  std::ostringstream out;
  out << "# fish completion for " << root.name << ". Generated from the CLI definition by `"
      << root.name << " completion fish`; do not edit.\n"
      << "# Install: copy it to ~/.config/fish/completions/" << root.name << ".fish.\n\n";
  write_data(out, views);
  out << k_walk;
  if (needs_source_names(root)) {
    out << k_fish_sources;
  }
  out << "complete -c " << root.name << " -f\n";
  for (const auto& view : views) {
    write_command(out, view, root.name);
  }
  return out.str();
}

} // namespace homectl::docs
