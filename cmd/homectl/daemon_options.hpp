#pragma once

#include "cli.hpp"

#include "homectl/client/target.hpp"
#include "homectl/config/config.hpp"
#include "homectl/util/result.hpp"

#include <chrono>
#include <string>

// Options shared by every command that talks to a running daemon.
namespace homectl::cli {

// --url and --token as given (empty = use environment, then configuration).
struct DaemonFlags {
  std::string url;
  std::string token;
};

// Adds --url and --token to `cmd`.
void add_daemon_options(CLI::App& cmd, DaemonFlags& flags);

// The effective configuration for a client command (built-in defaults when
// no file is given or found).
Result<config::Config> load_client_config(const Context& ctx);

// Parses a flag duration such as "250ms", "2s", "1m30s"; `flag` names it in errors.
Result<std::chrono::milliseconds> parse_flag_duration(const std::string& flag,
                                                      const std::string& text);

} // namespace homectl::cli
