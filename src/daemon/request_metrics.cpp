#include "homectl/daemon/request_metrics.hpp"

#include <algorithm>

namespace homectl::daemon {
namespace {

// The slot of a status code in RequestMetrics::k_statuses, or -1.
int status_index(int status) {
  const auto& statuses = RequestMetrics::k_statuses;
  const auto* it = std::find(statuses.begin(), statuses.end(), status);
  return it == statuses.end() ? -1 : static_cast<int>(it - statuses.begin());
}

} // namespace

HttpMetrics::HttpMetrics(metrics::Registry& registry)
    : requests(registry.counter("homectl_http_requests_total", "HTTP requests answered.",
                                {"route", "method", "code"})),
      duration(registry.histogram("homectl_http_request_duration_seconds",
                                  "Time from a request's header to the end of its answer.",
                                  {"route"})),
      rate_limited(registry.counter("homectl_rate_limited_total",
                                    "Requests refused by the inbound rate limit.", {"class"})) {}

RequestMetrics::RequestMetrics(HttpMetrics& metrics, const http::Router& router)
    : m_metrics(metrics), m_router(router) {}

void RequestMetrics::build() {
  std::vector<std::string> names{std::string(k_unmatched)};
  for (const auto& route : m_router.routes()) {
    names.push_back(route.pattern);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  m_endpoints.reserve(names.size());
  for (auto& name : names) {
    auto endpoint = std::make_unique<Endpoint>();
    endpoint->name = std::move(name);
    m_endpoints.push_back(std::move(endpoint));
  }
}

RequestMetrics::Endpoint* RequestMetrics::find(std::string_view endpoint) {
  std::call_once(m_built, [this] { build(); });
  const auto it = std::lower_bound(
      m_endpoints.begin(), m_endpoints.end(), endpoint,
      [](const std::unique_ptr<Endpoint>& e, std::string_view name) { return e->name < name; });
  if (it == m_endpoints.end() || (*it)->name != endpoint) {
    return nullptr;
  }
  return it->get();
}

void RequestMetrics::count(std::string_view endpoint, http::Method method, int status,
                           double seconds) {
  auto* cached = find(endpoint);
  const int slot = status_index(status);
  if (cached == nullptr || slot < 0) {
    // An endpoint or status without a slot: the family look-up (rare).
    m_metrics.requests.with({endpoint, http::to_string(method), std::to_string(status)}).inc();
    m_metrics.duration.with({endpoint}).observe(seconds);
    return;
  }
  // Two threads may both look a child up the first time; the family returns
  // the same child to both, so either store is right.
  auto& counter_slot = cached->requests[static_cast<std::size_t>(method) * k_statuses.size() +
                                        static_cast<std::size_t>(slot)];
  auto* counter = counter_slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &m_metrics.requests.with({endpoint, http::to_string(method), std::to_string(status)});
    counter_slot.store(counter, std::memory_order_release);
  }
  counter->inc();
  auto* histogram = cached->duration.load(std::memory_order_acquire);
  if (histogram == nullptr) {
    histogram = &m_metrics.duration.with({endpoint});
    cached->duration.store(histogram, std::memory_order_release);
  }
  histogram->observe(seconds);
}

} // namespace homectl::daemon
