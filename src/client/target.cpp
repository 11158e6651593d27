#include "homectl/client/target.hpp"

#include <cstdlib>

namespace homectl::client {

std::optional<std::string> process_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) {
    return std::nullopt;
  }
  return std::string(value);
}

std::string listen_url(const config::ListenAddress& listen) {
  std::string host = listen.host;
  if (host.empty() || host == "0.0.0.0") {
    host = "127.0.0.1";
  } else if (host == "::" || host == "[::]") {
    host = "::1";
  }
  if (host.find(':') != std::string::npos && host.front() != '[') {
    host = "[" + host + "]";
  }
  return "http://" + host + ":" + std::to_string(listen.port);
}

Target resolve_target(const config::Config& config, const std::string& url_flag,
                      const std::string& token_flag, const EnvLookup& env, bool for_watchdog) {
  Target target;
  if (!url_flag.empty()) {
    target.url = url_flag;
  } else if (auto from_env = env("HOMECTL_URL"); from_env && !from_env->empty()) {
    target.url = *from_env;
  } else if (for_watchdog && !config.watchdog.url.empty()) {
    target.url = config.watchdog.url;
  } else {
    target.url = listen_url(config.server.listen);
  }
  if (!token_flag.empty()) {
    target.token = token_flag;
  } else if (auto from_env = env("HOMECTL_TOKEN"); from_env && !from_env->empty()) {
    target.token = *from_env;
  } else {
    target.token = config.server.api_token;
  }
  return target;
}

} // namespace homectl::client
