#pragma once

#include "homectl/config/config.hpp"

#include <chrono>
#include <string_view>

// Which requests get an access-log line, and how their outcome is named.
namespace homectl::daemon {

// "ok", "client_error", "unauthorized", "rate_limited" or "server_error".
std::string_view outcome_of(int status);

// log.access: all → every request; errors → 4xx/5xx and requests slower than
// log.slow_request; off → none.
bool should_log(const config::LogConfig& log, int status, std::chrono::nanoseconds latency);

} // namespace homectl::daemon
