#include "homectl/client/metrics_view.hpp"

#include "homectl/util/strings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace homectl::client {
namespace {

using metrics::counter_delta;
using metrics::Exposition;
using metrics::MetricFamily;
using metrics::Sample;

const MetricFamily* find(const Exposition* e, std::string_view name) {
  return e == nullptr ? nullptr : e->find(name);
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string seconds_text(std::optional<double> s) {
  if (!s || std::isnan(*s)) {
    return "-";
  }
  if (*s < 1.0) {
    return fixed(*s * 1000.0, *s < 0.001 ? 2 : 1) + "ms";
  }
  return fixed(*s, 2) + "s";
}

std::string percent(double part, double whole) {
  return whole > 0 ? fixed(100.0 * part / whole, 1) + "%" : "-";
}

std::string count_text(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15) {
    return fixed(value, 0);
  }
  return fixed(value, 2);
}

// "timeout 3, status_5xx 1": the failure reasons seen, most frequent first; "-" for none.
std::string failures_text(const std::map<std::string, double>& failures) {
  std::vector<std::pair<std::string, double>> seen;
  for (const auto& [reason, count] : failures) {
    if (count > 0) {
      seen.emplace_back(reason, count);
    }
  }
  std::stable_sort(seen.begin(), seen.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  for (const auto& [reason, count] : seen) {
    out += (out.empty() ? "" : ", ") + reason + " " + count_text(count);
  }
  return out.empty() ? "-" : out;
}

std::string age_text(std::optional<double> age) {
  if (!age) {
    return "never";
  }
  const auto s = static_cast<long long>(std::max(0.0, *age));
  if (s < 120) {
    return std::to_string(s) + "s ago";
  }
  if (s < 7200) {
    return std::to_string(s / 60) + "m ago";
  }
  if (s < 2 * 86400) {
    return std::to_string(s / 3600) + "h ago";
  }
  return std::to_string(s / 86400) + "d ago";
}

nlohmann::json optional_json(std::optional<double> v) {
  return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json();
}

} // namespace

std::string breaker_name(std::optional<double> state) {
  if (!state) {
    return "-";
  }
  if (*state == 0) {
    return "closed";
  }
  if (*state == 1) {
    return "half-open";
  }
  if (*state == 2) {
    return "open";
  }
  return "?";
}

namespace {

// Requests and 5xx errors per route, as counted since `earlier`.
void count_requests(const Exposition& later, const Exposition* earlier,
                    std::map<std::string, RouteStats>& routes) {
  const auto* f = later.find("homectl_http_requests_total");
  if (f == nullptr) {
    return;
  }
  const auto* old = find(earlier, f->name);
  for (const auto& s : f->samples) {
    auto route = s.label("route").value_or("-");
    auto& row = routes[route];
    row.route = route;
    const double delta = counter_delta(s, old);
    row.requests += delta;
    if (s.label("code").value_or("").starts_with('5')) {
      row.errors += delta;
    }
  }
}

// The latency quantiles per route, over the buckets filled since `earlier`.
Result<void> add_latencies(const Exposition& later, const Exposition* earlier,
                           std::map<std::string, RouteStats>& routes) {
  const auto* f = later.find("homectl_http_request_duration_seconds");
  if (f == nullptr) {
    return {};
  }
  auto series = metrics::histogram_series(*f);
  if (!series) {
    return series.error();
  }
  std::vector<metrics::HistogramSeries> old_series;
  if (const auto* old = find(earlier, f->name)) {
    auto parsed = metrics::histogram_series(*old);
    if (!parsed) {
      return parsed.error();
    }
    old_series = std::move(parsed).value();
  }
  for (const auto& s : *series) {
    auto route = s.label("route").value_or("-");
    std::vector<metrics::Bucket> buckets = s.buckets;
    for (const auto& o : old_series) {
      if (o.labels == s.labels) {
        buckets = metrics::bucket_delta(s.buckets, o.buckets);
      }
    }
    auto& row = routes[route];
    row.route = route;
    row.p50 = metrics::histogram_quantile(0.50, buckets);
    row.p95 = metrics::histogram_quantile(0.95, buckets);
    row.p99 = metrics::histogram_quantile(0.99, buckets);
  }
  return {};
}

using SourceRows = std::map<std::string, SourceStats>;

// The row of the source a sample is labelled with, created on first use.
SourceStats& source_row(SourceRows& sources, const Sample& s) {
  auto name = s.label("source").value_or("-");
  auto& row = sources[name];
  row.source = name;
  return row;
}

// Cache lookups per source by result (hit, stale, miss).
void count_lookups(const Exposition& later, const Exposition* earlier, SourceRows& sources) {
  const auto* f = later.find("homectl_cache_lookups_total");
  if (f == nullptr) {
    return;
  }
  const auto* old = find(earlier, f->name);
  for (const auto& s : f->samples) {
    auto& row = source_row(sources, s);
    const auto result = s.label("result").value_or("");
    const double delta = counter_delta(s, old);
    if (result == "hit") {
      row.hits += delta;
    } else if (result == "stale") {
      row.stale += delta;
    } else if (result == "miss") {
      row.misses += delta;
    }
  }
}

// One row per source: cache results, breaker, last success, outcomes, failures.
std::vector<SourceStats> source_stats(const Exposition& later, const Exposition* earlier,
                                      double now_unix_s) {
  SourceRows sources;
  count_lookups(later, earlier, sources);
  if (const auto* f = later.find("homectl_breaker_state")) {
    for (const auto& s : f->samples) {
      source_row(sources, s).breaker = s.value;
    }
  }
  if (const auto* f = later.find("homectl_source_last_success_timestamp_seconds")) {
    for (const auto& s : f->samples) {
      if (s.value > 0) {
        source_row(sources, s).last_success_age = now_unix_s - s.value;
      } else {
        source_row(sources, s);
      }
    }
  }
  if (const auto* f = later.find("homectl_source_requests_total")) {
    const auto* old = find(earlier, f->name);
    for (const auto& s : f->samples) {
      source_row(sources, s).outcomes[s.label("outcome").value_or("-")] += counter_delta(s, old);
    }
  }
  if (const auto* f = later.find("homectl_source_failures_total")) {
    const auto* old = find(earlier, f->name);
    for (const auto& s : f->samples) {
      source_row(sources, s).failures[s.label("reason").value_or("-")] += counter_delta(s, old);
    }
  }
  std::vector<SourceStats> out;
  for (auto& [name, row] : sources) {
    out.push_back(row);
  }
  return out;
}

} // namespace

Result<MetricsSummary> summarize(const Exposition& later, const Exposition* earlier,
                                 double window_s, double now_unix_s) {
  MetricsSummary summary;
  if (earlier != nullptr && window_s > 0) {
    summary.window_s = window_s;
  }
  std::map<std::string, RouteStats> routes;
  count_requests(later, earlier, routes);
  if (auto latencies = add_latencies(later, earlier, routes); !latencies) {
    return latencies.error();
  }
  for (auto& [name, row] : routes) {
    if (summary.window_s) {
      row.rate_per_s = row.requests / *summary.window_s;
    }
    summary.routes.push_back(row);
  }
  summary.sources = source_stats(later, earlier, now_unix_s);
  if (const auto* f = later.find("homectl_redis_up"); f != nullptr && !f->samples.empty()) {
    summary.redis_up = f->samples.front().value;
  }
  return summary;
}

std::string render_table(const MetricsSummary& summary) {
  std::string out;
  std::vector<std::vector<std::string>> rows{
      {"ROUTE", summary.window_s ? "REQ/S" : "REQUESTS", "ERRORS", "P50", "P95", "P99"}};
  for (const auto& r : summary.routes) {
    rows.push_back({r.route, r.rate_per_s ? fixed(*r.rate_per_s, 2) : count_text(r.requests),
                    percent(r.errors, r.requests), seconds_text(r.p50), seconds_text(r.p95),
                    seconds_text(r.p99)});
  }
  if (summary.routes.empty()) {
    rows.push_back({"(no requests yet)"});
  }
  out += util::render_columns(rows);
  out += "\n";
  rows = {{"SOURCE", "LOOKUPS", "HIT", "STALE", "MISS", "BREAKER", "LAST SUCCESS", "FAILURES"}};
  for (const auto& s : summary.sources) {
    rows.push_back({s.source, count_text(s.lookups()), percent(s.hits, s.lookups()),
                    percent(s.stale, s.lookups()), percent(s.misses, s.lookups()),
                    breaker_name(s.breaker), age_text(s.last_success_age),
                    failures_text(s.failures)});
  }
  if (summary.sources.empty()) {
    rows.push_back({"(no sources)"});
  }
  out += util::render_columns(rows);
  out += "\nredis: ";
  if (!summary.redis_up) {
    out += "not reported";
  } else {
    out += *summary.redis_up > 0 ? "up" : "DOWN";
  }
  out += "\n";
  return out;
}

nlohmann::json to_json(const MetricsSummary& summary) {
  nlohmann::json routes = nlohmann::json::array();
  for (const auto& r : summary.routes) {
    routes.push_back({{"route", r.route},
                      {"requests", r.requests},
                      {"errors", r.errors},
                      {"error_ratio", r.error_ratio()},
                      {"rate_per_s", optional_json(r.rate_per_s)},
                      {"p50_s", optional_json(r.p50)},
                      {"p95_s", optional_json(r.p95)},
                      {"p99_s", optional_json(r.p99)}});
  }
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& s : summary.sources) {
    sources.push_back(
        {{"source", s.source},
         {"hits", s.hits},
         {"stale", s.stale},
         {"misses", s.misses},
         {"hit_ratio", s.lookups() > 0 ? nlohmann::json(s.hits / s.lookups()) : nlohmann::json()},
         {"breaker", s.breaker ? nlohmann::json(breaker_name(s.breaker)) : nlohmann::json()},
         {"last_success_age_s", optional_json(s.last_success_age)},
         {"outcomes", s.outcomes},
         {"failures", s.failures}});
  }
  return {{"routes", routes},
          {"sources", sources},
          {"redis_up", summary.redis_up ? nlohmann::json(*summary.redis_up > 0) : nlohmann::json()},
          {"window_s", optional_json(summary.window_s)}};
}

} // namespace homectl::client
