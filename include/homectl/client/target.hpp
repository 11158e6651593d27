#pragma once

#include "homectl/config/config.hpp"

#include <functional>
#include <optional>
#include <string>

// Which daemon a command talks to and with which token: flag, else
// environment (HOMECTL_URL / HOMECTL_TOKEN), else the configuration.
namespace homectl::client {

// Reads an environment variable (injectable for tests).
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// The real process environment.
std::optional<std::string> process_env(const char* name);

// "http://" + the listen address; a wildcard address (0.0.0.0, ::) becomes the
// loopback address of the same family, IPv6 literals get brackets.
std::string listen_url(const config::ListenAddress& listen);

// The resolved daemon URL and token.
struct Target {
  std::string url;
  std::string token;
};

// Resolves --url/--token (empty = not given). With `for_watchdog`,
// `watchdog.url` comes before server.listen.
Target resolve_target(const config::Config& config, const std::string& url_flag,
                      const std::string& token_flag, const EnvLookup& env = process_env,
                      bool for_watchdog = false);

} // namespace homectl::client
