#include "cli.hpp"

#include <array>

namespace homectl::cli {

void add_version(CLI::App& app, Context& ctx);
void add_serve(CLI::App& app, Context& ctx);
void add_config(CLI::App& app, Context& ctx);

std::span<const Command> commands() {
  static const std::array table{
      Command{"serve", "Run the HTTP daemon", add_serve},
      Command{"config", "Validate, show and document the configuration", add_config},
      Command{"version", "Print version and build information", add_version},
  };
  return table;
}

} // namespace homectl::cli
