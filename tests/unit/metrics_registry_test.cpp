#include "homectl/metrics/registry.hpp"

#include <gtest/gtest.h>

namespace homectl::metrics {
namespace {

TEST(MetricsRegistry, RendersCountersGaugesAndHistograms) {
  Registry registry;
  auto& requests = registry.counter("homectl_http_requests_total", "HTTP requests.",
                                    {"route", "method", "code"});
  requests.with({"/live", "GET", "200"}).inc();
  requests.with({"/live", "GET", "200"}).inc(2);
  registry.gauge("homectl_http_connections", "Open connections.").get().set(3);
  auto& latency =
      registry.histogram("homectl_http_request_duration_seconds", "Latency.", {"route"}, {0.1, 1});
  latency.with({"/live"}).observe(0.05);
  latency.with({"/live"}).observe(0.5);
  latency.with({"/live"}).observe(5);
  EXPECT_EQ(registry.render(),
            "# HELP homectl_http_requests_total HTTP requests.\n"
            "# TYPE homectl_http_requests_total counter\n"
            "homectl_http_requests_total{route=\"/live\",method=\"GET\",code=\"200\"} 3\n"
            "# HELP homectl_http_connections Open connections.\n"
            "# TYPE homectl_http_connections gauge\n"
            "homectl_http_connections 3\n"
            "# HELP homectl_http_request_duration_seconds Latency.\n"
            "# TYPE homectl_http_request_duration_seconds histogram\n"
            "homectl_http_request_duration_seconds_bucket{route=\"/live\",le=\"0.1\"} 1\n"
            "homectl_http_request_duration_seconds_bucket{route=\"/live\",le=\"1\"} 2\n"
            "homectl_http_request_duration_seconds_bucket{route=\"/live\",le=\"+Inf\"} 3\n"
            "homectl_http_request_duration_seconds_sum{route=\"/live\"} 5.55\n"
            "homectl_http_request_duration_seconds_count{route=\"/live\"} 3\n");
}

TEST(MetricsRegistry, EscapesLabelValuesAndRunsCollectHooks) {
  Registry registry;
  auto& g = registry.gauge("g", "help with \\ and\nnewline", {"source"});
  registry.on_collect([&g] { g.with({"a\"b\\c\nd"}).set(0.25); });
  EXPECT_EQ(registry.render(), "# HELP g help with \\\\ and\\nnewline\n"
                               "# TYPE g gauge\n"
                               "g{source=\"a\\\"b\\\\c\\nd\"} 0.25\n");
}

TEST(MetricsRegistry, RemoveDropsOneChildAndIgnoresUnknownOnes) {
  Registry registry;
  auto& g = registry.gauge("g", "help", {"source"});
  g.with({"a"}).set(1);
  g.with({"b"}).set(2);
  g.remove({"a"});
  g.remove({"nope"});
  EXPECT_EQ(registry.render(), "# HELP g help\n"
                               "# TYPE g gauge\n"
                               "g{source=\"b\"} 2\n");
  EXPECT_EQ(g.with({"a"}).value(), 0); // asked for again: a new child
}

TEST(MetricsFormat, SpecialValues) {
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_value(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(format_value(0.0 / 0.0), "NaN");
  EXPECT_EQ(format_value(0.1), "0.1");
  EXPECT_EQ(format_value(1700000000), "1700000000");
}

} // namespace
} // namespace homectl::metrics
