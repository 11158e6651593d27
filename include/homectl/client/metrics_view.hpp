#pragma once

#include "homectl/metrics/prometheus_text.hpp"
#include "homectl/util/result.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

// The human view of the daemon's /metrics for `homectl metrics`: requests,
// error rate and latency quantiles per route; cache ratios, breaker and last
// success per source; Redis. With an earlier snapshot, counts become rates and
// quantiles cover only the window between the two.
namespace homectl::client {

struct RouteStats {
  std::string route;
  double requests = 0.0;               // in the window (or since start)
  double errors = 0.0;                 // 5xx answers
  std::optional<double> rate_per_s;    // requests per second, when a window is known
  std::optional<double> p50, p95, p99; // seconds
  double error_ratio() const { return requests > 0 ? errors / requests : 0.0; }
};

struct SourceStats {
  std::string source;
  double hits = 0.0, stale = 0.0, misses = 0.0;
  std::optional<double> breaker;          // 0 closed, 1 half-open, 2 open
  std::optional<double> last_success_age; // seconds
  std::map<std::string, double> outcomes; // homectl_source_requests_total by outcome
  std::map<std::string, double> failures; // homectl_source_failures_total by reason
  double lookups() const { return hits + stale + misses; }
};

struct MetricsSummary {
  std::vector<RouteStats> routes;   // sorted by route
  std::vector<SourceStats> sources; // sorted by name
  std::optional<double> redis_up;
  std::optional<double> window_s; // length of the delta window, when rates are shown
};

// Builds the summary from one snapshot, or from the difference between
// `earlier` and `later` taken `window_s` seconds apart. `now_unix_s` is used
// for the age of last successes. Histogram errors give an Error.
Result<MetricsSummary> summarize(const metrics::Exposition& later,
                                 const metrics::Exposition* earlier, double window_s,
                                 double now_unix_s);

// The breaker state name ("closed", "half-open", "open", "-").
std::string breaker_name(std::optional<double> state);

// Renders the summary as aligned text tables.
std::string render_table(const MetricsSummary& summary);

// The summary as JSON.
nlohmann::json to_json(const MetricsSummary& summary);

} // namespace homectl::client
