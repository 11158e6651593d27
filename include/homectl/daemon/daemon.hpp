#pragma once

#include "homectl/config/config.hpp"
#include "homectl/config/loader.hpp"
#include "homectl/daemon/server_core.hpp"

#include <functional>
#include <string_view>

namespace boost::asio {
class io_context;
}

// `homectl serve`: the composition root. It creates the io_context, the
// Router, the metrics Registry and the health Checks, wires every area in
// (install_areas) and runs the lifecycle (notify, signals, drain, reload).
namespace homectl::daemon {

// Reads and validates the configuration (at start and on SIGHUP); called
// off the event loop.
using ConfigLoader = std::function<config::LoadResult()>;

// Logs every warning and error of a load, each with its origin; when the
// configuration is invalid also one `refused` line with the error count,
// and returns false.
bool log_problems(const config::LoadResult& loaded, std::string_view refused);

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
