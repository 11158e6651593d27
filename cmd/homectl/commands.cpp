#include "cli.hpp"

#include <array>

namespace homectl::cli {

void add_version(CLI::App& app, Context& ctx);

std::span<const Command> commands() {
  static const std::array table{
      Command{"version", "Print version and build information", add_version},
  };
  return table;
}

} // namespace homectl::cli
