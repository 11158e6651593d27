#include "cli.hpp"

#include <array>

namespace homectl::cli {

void add_version(CLI::App& app, Context& ctx);
void add_serve(CLI::App& app, Context& ctx);
void add_check_ready(CLI::App& app, Context& ctx);
void add_config(CLI::App& app, Context& ctx);
void add_watchdog(CLI::App& app, Context& ctx);
void add_metrics(CLI::App& app, Context& ctx);
void add_cache(CLI::App& app, Context& ctx);
void add_completion(CLI::App& app, Context& ctx);
void add_docs(CLI::App& app, Context& ctx);

std::span<const Command> commands() {
  static const std::array table{
      Command{"serve", "Run the HTTP daemon", add_serve},
      Command{"check-ready", "One-shot readiness probe (Nagios exit codes)", add_check_ready, 3},
      Command{"metrics", "Show the daemon's metrics as a table (--watch to follow)", add_metrics},
      Command{"config", "Validate, show and document the configuration", add_config},
      Command{"cache", "Work with the daemon's cache (warm)", add_cache},
      Command{"watchdog", "Check the daemon and notify on state changes", add_watchdog},
      Command{"completion", "Print a shell completion script (bash, zsh, fish)", add_completion},
      Command{"version", "Print version and build information", add_version},
      Command{"docs", "Print generated documentation (hidden)", add_docs},
  };
  return table;
}

} // namespace homectl::cli
