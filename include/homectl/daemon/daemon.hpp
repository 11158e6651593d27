#pragma once

#include "homectl/config/config.hpp"
#include "homectl/daemon/server_core.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

// `homectl serve`: the composition root. It creates the io_context, the
// Router, the metrics Registry and the health Checks, wires every area in
// (install_areas) and runs the lifecycle (notify, signals, drain, reload).
namespace homectl::daemon {

// The outcome of reading the configuration (at start and on SIGHUP).
struct LoadedConfig {
  std::optional<config::Config> config; // set when valid
  std::vector<std::string> errors;      // each a complete message with its origin
  std::vector<std::string> warnings;
  std::string file; // the file used; empty = built-in defaults
};

// Reads and validates the configuration; called off the event loop.
using ConfigLoader = std::function<LoadedConfig()>;

struct Options {
  ConfigLoader load;
};

// Exit codes of run().
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failure = 1; // cannot listen, or a second stop signal
inline constexpr int k_exit_config = 78; // EX_CONFIG

// Serves until SIGTERM/SIGINT and the drain completes; returns the exit code.
int run(const Options& options);

// Connects every area to the core: routes, checks, metrics, reload hooks.
// The one place where a new area is wired in; the OpenAPI test builds the
// router through it too.
void install_areas(boost::asio::io_context& io, ServerCore& core);

} // namespace homectl::daemon
