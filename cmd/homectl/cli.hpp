#pragma once

#include "homectl/config/loader.hpp"

#include <CLI/CLI.hpp>

#include <span>
#include <string>
#include <string_view>

// The command table: every subcommand is one row (name, summary, register
// function) and lives in its own file. The table drives help, "did you mean",
// completions and the man page check.
namespace homectl::cli {

// Documented, stable exit codes (man/homectl.1).
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failed = 1;  // a check or validation failed
inline constexpr int k_exit_usage = 64;  // EX_USAGE
inline constexpr int k_exit_config = 78; // EX_CONFIG: serve refuses an invalid config

// Options accepted by every command, before or after the subcommand.
struct Globals {
  std::string config_path; // --config / HOMECTL_CONFIG; empty = search the default places
  std::string log_level;   // --log-level; empty = from config
  bool quiet = false;      // -q/--quiet
};

// How every command loads the configuration: --config (or the search path),
// the environment, and --log-level (--quiet: "error") as a flag override, so
// flag > env > file holds for `serve`, `config show` and the client commands
// alike. `file` replaces --config when not empty (validate's FILE).
config::LoadOptions load_options(const Globals& globals, const std::string& file = {});

// "homectl 1.2.3 (compiler, build type)": `homectl version` and `--version`.
std::string version_line();

// What a command's callback reads and sets.
struct Context {
  Globals globals;
  int exit_code = k_exit_ok;
};

// Fills in the subcommand that build_app() created from the row (options, callback).
using RegisterFn = void (*)(CLI::App& cmd, Context& ctx);

struct Command {
  std::string_view name;
  std::string_view summary;
  RegisterFn add;
  int usage_exit_code = k_exit_usage; // check-ready follows Nagios: 3
};

// Every top-level subcommand, in help order.
std::span<const Command> commands();

// Builds the whole CLI11 application (used by run() and by `completion`).
void build_app(CLI::App& app, Context& ctx);

// Parses argv, runs the command and returns the process exit code.
int run(int argc, char** argv);

} // namespace homectl::cli
