#pragma once

#include <string>
#include <string_view>
#include <vector>

// A plain description of the command line (commands, options, positionals),
// extracted from the CLI definition so that completions and the man page are
// generated from the same source as the parser, without depending on CLI11.
namespace homectl::docs {

// What kind of value an option or positional takes, for completion.
enum class ValueKind {
  none,      // a flag: no value
  text,      // free text: no completion
  choice,    // one of `choices`
  file,      // a path to a file
  directory, // a path to a directory
  source,    // a source name from the configuration
};

// One option, e.g. `-q, --quiet` or `--format FMT`.
struct OptionDoc {
  std::vector<std::string> short_names; // without the dash: "q"
  std::vector<std::string> long_names;  // without the dashes: "quiet"
  std::string value_name;               // "FILE"; empty for a flag
  ValueKind kind = ValueKind::none;
  std::vector<std::string> choices; // for ValueKind::choice
  std::string help;
  std::string default_value; // empty = no default worth showing
  std::string env;           // environment variable that supplies it, if any
  bool repeatable = false;
  bool value_optional = false; // `--watch` or `--watch=2s`: the value may be left out

  // All spellings with dashes: "-q", "--quiet".
  std::vector<std::string> spellings() const;
  // The first spelling, preferring the long one: "--quiet".
  std::string primary() const;
  bool takes_value() const { return kind != ValueKind::none; }
  // True when the next word is always this option's value (a required value).
  bool consumes_next_word() const { return takes_value() && !value_optional; }
};

// One positional argument, e.g. `[SOURCE...]`.
struct PositionalDoc {
  std::string name; // "SOURCE"
  ValueKind kind = ValueKind::text;
  std::vector<std::string> choices;
  std::string help;
  bool required = false;
  bool variadic = false;
};

// A command and its subcommands; the root is the program itself.
struct CommandDoc {
  std::string name;
  std::string summary;
  std::vector<OptionDoc> options; // its own options (not inherited ones)
  std::vector<PositionalDoc> positionals;
  std::vector<CommandDoc> subcommands;
  bool subcommand_required = false;

  // The names of its subcommands, in order.
  std::vector<std::string> subcommand_names() const;
};

// A command together with where it sits: its path from the root ("config show")
// and every option it accepts, its own and those inherited from its parents.
struct CommandView {
  const CommandDoc* command = nullptr;
  std::vector<std::string> path; // names below the root; empty for the root
  std::vector<const OptionDoc*> options;

  // The path joined by spaces: "config show"; "" for the root.
  std::string path_string() const;
};

// Every command of the tree in depth-first order, the root first. Options of a
// parent are inherited because every global option is accepted after the
// subcommand too.
std::vector<CommandView> flatten(const CommandDoc& root);

// The usage line's argument part: "[OPTIONS] FILE [SOURCE...]".
std::string usage_arguments(const CommandDoc& command);

} // namespace homectl::docs
