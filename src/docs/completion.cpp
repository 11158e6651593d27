#include "homectl/docs/completion.hpp"

#include <algorithm>

namespace homectl::docs {

std::optional<Shell> parse_shell(std::string_view name) {
  if (name == "bash") {
    return Shell::bash;
  }
  if (name == "zsh") {
    return Shell::zsh;
  }
  if (name == "fish") {
    return Shell::fish;
  }
  return std::nullopt;
}

std::string completion_script(Shell shell, const CommandDoc& root) {
  switch (shell) {
  case Shell::bash:
    return bash_completion(root);
  case Shell::zsh:
    return zsh_completion(root);
  case Shell::fish:
    return fish_completion(root);
  }
  return {};
}

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

bool needs_source_names(const CommandDoc& root) {
  for (const auto& view : flatten(root)) {
    const auto& command = *view.command;
    if (std::any_of(command.options.begin(), command.options.end(),
                    [](const OptionDoc& o) { return o.kind == ValueKind::source; }) ||
        std::any_of(command.positionals.begin(), command.positionals.end(),
                    [](const PositionalDoc& p) { return p.kind == ValueKind::source; })) {
      return true;
    }
  }
  return false;
}

} // namespace homectl::docs
