#include "homectl/daemon/reload.hpp"

namespace homectl::daemon {
namespace {

template <typename T>
void compare(std::vector<std::string>& out, const char* path, const T& a, const T& b) {
  if (!(a == b)) {
    out.emplace_back(path);
  }
}

} // namespace

ReloadPlan plan_reload(const config::Config& current, config::Config next) {
  ReloadPlan plan;
  auto& restart = plan.needs_restart;
  compare(restart, "server.listen", current.server.listen, next.server.listen);
  compare(restart, "server.threads", current.server.threads, next.server.threads);
  next.server.listen = current.server.listen;
  next.server.threads = current.server.threads;

  auto& changed = plan.changed;
  const auto& a = current.server;
  const auto& b = next.server;
  compare(changed, "server.api_token", a.api_token, b.api_token); // the name only, never the value
  compare(changed, "server.header_timeout", a.header_timeout, b.header_timeout);
  compare(changed, "server.idle_timeout", a.idle_timeout, b.idle_timeout);
  compare(changed, "server.max_header_size", a.max_header_size, b.max_header_size);
  compare(changed, "server.max_body_size", a.max_body_size, b.max_body_size);
  compare(changed, "server.max_connections", a.max_connections, b.max_connections);
  compare(changed, "server.drain_timeout", a.drain_timeout, b.drain_timeout);
  compare(changed, "server.ui", a.ui, b.ui);
  compare(changed, "log", current.log, next.log);
  compare(changed, "cache", current.cache, next.cache);
  compare(changed, "redis", current.redis, next.redis);
  compare(changed, "defaults", current.defaults, next.defaults);
  compare(changed, "sources", current.sources, next.sources);
  compare(changed, "limits.default", current.limits.default_class, next.limits.default_class);
  compare(changed, "limits.refresh", current.limits.refresh, next.limits.refresh);
  compare(changed, "watchdog", current.watchdog, next.watchdog);
  plan.applied = std::move(next);
  return plan;
}

} // namespace homectl::daemon
