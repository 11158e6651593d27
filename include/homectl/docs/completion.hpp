#pragma once

#include "homectl/docs/cli_model.hpp"

#include <optional>
#include <string>
#include <string_view>

// Shell completion scripts generated from the CLI model: subcommands at every
// level, options (global ones after a subcommand too), option and positional
// values (choices, files, source names from the configuration, which the
// scripts ask the hidden `homectl docs sources` for).
namespace homectl::docs {

enum class Shell { bash, zsh, fish };

// The shells a script can be generated for, in the order shown to users.
inline constexpr std::string_view k_shell_names[] = {"bash", "zsh", "fish"};

// Parses "bash", "zsh" or "fish".
std::optional<Shell> parse_shell(std::string_view name);

// The completion script for `shell`, for a program named `root.name`.
std::string completion_script(Shell shell, const CommandDoc& root);

std::string bash_completion(const CommandDoc& root);
std::string zsh_completion(const CommandDoc& root);
std::string fish_completion(const CommandDoc& root);

// Quotes `text` for a POSIX-like shell with single quotes ('it'\''s').
std::string shell_quote(std::string_view text);

// True when some command takes a source name (the scripts then need the
// source lister).
bool needs_source_names(const CommandDoc& root);

} // namespace homectl::docs
