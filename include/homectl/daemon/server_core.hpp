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

namespace homectl::sources {
class HttpFetcher;
class Service;
} // namespace homectl::sources

// Everything a connection needs, owned together. Connections hold a
// shared_ptr to it, so it outlives the last one however shutdown unfolds.
namespace homectl::daemon {

class HistoryArea;
class RedisArea;
class MqttArea;

// Called after a valid configuration was applied on reload (old, new).
using ReloadHook = std::function<void(const config::Config&, const config::Config&)>;

struct ServerCore {
  ServerCore(const config::Config& config, const util::Clock& clock);
  ServerCore(const ServerCore&) = delete;
  ServerCore& operator=(const ServerCore&) = delete;

  ServerState state;
  metrics::Registry metrics;
  // The daemon's scrape-time samples and collect hooks; they go before the
  // registry and everything they read.
  std::vector<metrics::Registration> metric_samples;
  health::Checks checks;
  http::Router router; // filled before serving, then read-only
  http::InboundLimiter limiter;
  HttpMetrics http_metrics;
  Dispatcher dispatcher;
  std::vector<ReloadHook> reload_hooks;
  // The areas routes, checks and hooks refer to (set by install_areas).
  // Members die in reverse order: the Service first, then the fetcher and
  // the Redis area whose store it uses, then everything above.
  std::shared_ptr<HistoryArea> history;
  std::shared_ptr<RedisArea> redis; // null without redis.url
  std::shared_ptr<sources::HttpFetcher> fetcher;
  std::shared_ptr<sources::Service> service;
  // Null without mqtt.url; goes first, before the Service it reads.
  std::shared_ptr<MqttArea> mqtt;
};

// Adds /live, /ready, /health, /metrics, /diagnostics and /openapi.json, the
// server's own checks and the process and build metrics.
void add_core_endpoints(ServerCore& core);

} // namespace homectl::daemon
