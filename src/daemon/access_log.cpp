#include "homectl/daemon/access_log.hpp"

namespace homectl::daemon {

std::string_view outcome_of(int status) {
  if (status == 401) {
    return "unauthorized";
  }
  if (status == 429) {
    return "rate_limited";
  }
  if (status >= 500) {
    return "server_error";
  }
  if (status >= 400) {
    return "client_error";
  }
  return "ok";
}

bool should_log(const config::LogConfig& log, int status, std::chrono::nanoseconds latency) {
  switch (log.access) {
  case config::AccessLog::all:
    return true;
  case config::AccessLog::off:
    return false;
  case config::AccessLog::errors:
    return status >= 400 || latency > log.slow_request;
  }
  return false;
}

} // namespace homectl::daemon
