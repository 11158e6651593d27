#pragma once

#include "homectl/http/message.hpp"
#include "homectl/http/router.hpp"
#include "homectl/metrics/registry.hpp"

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

// The per-request HTTP metrics without a per-request look-up: for each route
// template the labelled children of homectl_http_requests_total and
// homectl_http_request_duration_seconds are found once (under the family's
// lock) and then reached through atomic pointers. Children are still created
// on first use, so /metrics shows exactly what it showed before.
namespace homectl::daemon {

// The endpoint label for requests that matched no route (and for requests
// rejected before routing, e.g. 431).
inline constexpr std::string_view k_unmatched = "unmatched";

// The HTTP metrics every request updates (bounded labels: route templates).
struct HttpMetrics {
  explicit HttpMetrics(metrics::Registry& registry);
  metrics::Family<metrics::Counter>& requests;
  metrics::Family<metrics::Histogram>& duration;
  metrics::Family<metrics::Counter>& rate_limited;
};

class RequestMetrics {
public:
  // `router` must be filled before the first count(); endpoints it does not
  // know (or routes added later) are still counted, through the family look-up.
  RequestMetrics(HttpMetrics& metrics, const http::Router& router);

  // Counts one answered request for `endpoint` (a route template or
  // k_unmatched) and observes its latency. Safe from any thread.
  void count(std::string_view endpoint, http::Method method, int status, double seconds);

  // Status codes with a cached counter slot; others take the family look-up.
  static constexpr std::array<int, 17> k_statuses{200, 201, 202, 204, 304, 400, 401, 404, 405,
                                                  408, 413, 429, 431, 500, 502, 503, 504};

private:
  static constexpr std::size_t k_methods = static_cast<std::size_t>(http::Method::other) + 1;

  // One route template's children, filled in as they are first used.
  struct Endpoint {
    std::string name;
    std::atomic<metrics::Histogram*> duration{nullptr};
    std::array<std::atomic<metrics::Counter*>, k_methods * k_statuses.size()> requests{};
  };

  Endpoint* find(std::string_view endpoint);
  void build();

  HttpMetrics& m_metrics;
  const http::Router& m_router;
  std::once_flag m_built;
  std::vector<std::unique_ptr<Endpoint>> m_endpoints; // sorted by name, fixed once built
};

} // namespace homectl::daemon
