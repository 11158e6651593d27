#include "homectl/client/metrics_view.hpp"
#include "homectl/metrics/prometheus_text.hpp"
#include "homectl/metrics/registry.hpp"

#include <gtest/gtest.h>

using namespace homectl;

namespace {

// A registry shaped like the daemon's, so the parser reads what the daemon writes.
struct DaemonMetrics {
  metrics::Registry registry;
  metrics::Family<metrics::Counter>& requests =
      registry.counter("homectl_http_requests_total", "HTTP requests", {"route", "method", "code"});
  metrics::Family<metrics::Histogram>& latency = registry.histogram(
      "homectl_http_request_duration_seconds", "Latency", {"route"}, {0.001, 0.01, 0.1, 1.0});
  metrics::Family<metrics::Counter>& lookups =
      registry.counter("homectl_cache_lookups_total", "Cache lookups", {"source", "result"});
  metrics::Family<metrics::Gauge>& breaker =
      registry.gauge("homectl_breaker_state", "Breaker", {"source"});
  metrics::Family<metrics::Gauge>& last_success =
      registry.gauge("homectl_source_last_success_timestamp_seconds", "Last success", {"source"});
  metrics::Family<metrics::Gauge>& redis_up = registry.gauge("homectl_redis_up", "Redis");
  metrics::Family<metrics::Counter>& failures =
      registry.counter("homectl_source_failures_total", "Failures", {"source", "reason"});

  metrics::Exposition snapshot() {
    auto parsed = metrics::parse_prometheus_text(registry.render());
    EXPECT_TRUE(parsed) << parsed.error().message;
    return parsed ? std::move(parsed).value() : metrics::Exposition{};
  }
};

} // namespace

TEST(MetricsView, SummarisesRoutesSourcesAndRedis) {
  DaemonMetrics d;
  d.requests.with({"/v1/sources/{name}", "GET", "200"}).inc(90);
  d.requests.with({"/v1/sources/{name}", "GET", "502"}).inc(10);
  d.requests.with({"/ready", "GET", "200"}).inc(5);
  auto& h = d.latency.with({"/v1/sources/{name}"});
  for (int i = 0; i < 50; ++i) {
    h.observe(0.0005); // <= 1 ms
  }
  for (int i = 0; i < 50; ++i) {
    h.observe(0.05); // (10 ms, 100 ms]
  }
  d.lookups.with({"weather", "hit"}).inc(8);
  d.lookups.with({"weather", "stale"}).inc(1);
  d.lookups.with({"weather", "miss"}).inc(1);
  d.breaker.with({"weather"}).set(2);
  d.last_success.with({"weather"}).set(1000.0);
  d.redis_up.get().set(1);
  d.failures.with({"weather", "timeout"}).inc(1);
  d.failures.with({"weather", "status_5xx"}).inc(3);

  auto summary = client::summarize(d.snapshot(), nullptr, 0.0, 1030.0);
  ASSERT_TRUE(summary) << summary.error().message;
  ASSERT_EQ(summary->routes.size(), 2U);
  const auto& sources_route = summary->routes[1];
  EXPECT_EQ(sources_route.route, "/v1/sources/{name}");
  EXPECT_DOUBLE_EQ(sources_route.requests, 100.0);
  EXPECT_DOUBLE_EQ(sources_route.errors, 10.0);
  EXPECT_DOUBLE_EQ(sources_route.error_ratio(), 0.1);
  EXPECT_FALSE(sources_route.rate_per_s);
  // p50: rank 50 = exactly the first bucket's count → its bound, 1 ms.
  EXPECT_DOUBLE_EQ(*sources_route.p50, 0.001);
  // p95: rank 95 lies in (0.01, 0.1] at 45/50 → 0.01 + 0.09 * 0.9 = 0.091.
  EXPECT_NEAR(*sources_route.p95, 0.091, 1e-12);
  EXPECT_NEAR(*sources_route.p99, 0.0982, 1e-12);
  EXPECT_FALSE(summary->routes[0].p50); // /ready has no histogram samples

  ASSERT_EQ(summary->sources.size(), 1U);
  const auto& weather = summary->sources[0];
  EXPECT_DOUBLE_EQ(weather.lookups(), 10.0);
  EXPECT_EQ(client::breaker_name(weather.breaker), "open");
  EXPECT_DOUBLE_EQ(*weather.last_success_age, 30.0);
  EXPECT_EQ(summary->redis_up, 1.0);

  const auto table = client::render_table(*summary);
  EXPECT_NE(table.find("/v1/sources/{name}  100       10.0%   1.0ms  91.0ms  98.2ms"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("weather  10       80.0%  10.0%  10.0%  open     30s ago       "
                       "status_5xx 3, timeout 1"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("redis: up"), std::string::npos);

  const auto json = client::to_json(*summary);
  EXPECT_EQ(json["routes"][1]["errors"], 10.0);
  EXPECT_EQ(json["sources"][0]["breaker"], "open");
  EXPECT_EQ(json["sources"][0]["failures"]["status_5xx"], 3.0);
  EXPECT_EQ(json["redis_up"], true);
}

TEST(MetricsView, RatesAndQuantilesFromDeltas) {
  DaemonMetrics d;
  auto& ok = d.requests.with({"/ready", "GET", "200"});
  auto& h = d.latency.with({"/ready"});
  ok.inc(1000);
  for (int i = 0; i < 1000; ++i) {
    h.observe(0.0005);
  }
  auto before = d.snapshot();
  ok.inc(20);
  for (int i = 0; i < 20; ++i) {
    h.observe(0.5); // only slow requests in the window
  }
  auto after = d.snapshot();
  auto summary = client::summarize(after, &before, 2.0, 0.0);
  ASSERT_TRUE(summary);
  const auto& r = summary->routes.at(0);
  EXPECT_DOUBLE_EQ(r.requests, 20.0);
  EXPECT_DOUBLE_EQ(*r.rate_per_s, 10.0);
  // Over the window all requests were in (0.1, 1]: p50 = 0.1 + 0.9 * 0.5.
  EXPECT_DOUBLE_EQ(*r.p50, 0.55);
  EXPECT_EQ(summary->window_s, 2.0);
}
