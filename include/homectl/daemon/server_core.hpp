#pragma once

#include "homectl/config/config.hpp"
#include "homectl/daemon/dispatcher.hpp"
#include "homectl/daemon/server_state.hpp"
#include "homectl/health/checks.hpp"
#include "homectl/http/inbound_limiter.hpp"
#include "homectl/http/router.hpp"
#include "homectl/metrics/registry.hpp"
#include "homectl/util/clock.hpp"

#include <functional>
#include <memory>
#include <vector>

// Everything a connection needs, owned together. Connections hold a
// shared_ptr to it, so it outlives the last one however shutdown unfolds.
namespace homectl::daemon {

// Called after a valid configuration was applied on reload (old, new).
using ReloadHook = std::function<void(const config::Config&, const config::Config&)>;

struct ServerCore {
  ServerCore(const config::Config& config, const util::Clock& clock);
  ServerCore(const ServerCore&) = delete;
  ServerCore& operator=(const ServerCore&) = delete;

  ServerState state;
  metrics::Registry metrics;
  health::Checks checks;
  http::Router router; // filled before serving, then read-only
  http::InboundLimiter limiter;
  HttpMetrics http_metrics;
  Dispatcher dispatcher;
  std::vector<ReloadHook> reload_hooks;
  // Objects of other areas (cache, Redis, ...) that routes and checks refer to.
  std::vector<std::shared_ptr<void>> parts;
};

// Adds /live, /ready, /health, /metrics, /diagnostics and /openapi.json, the
// server's own checks and the process and build metrics.
void add_core_endpoints(ServerCore& core);

} // namespace homectl::daemon
