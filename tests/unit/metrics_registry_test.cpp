#include "homectl/metrics/registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

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
  int runs = 0;
  auto hook = registry.on_collect([&g, &runs] {
    ++runs;
    g.with({"a\"b\\c\nd"}).set(0.25);
  });
  EXPECT_EQ(registry.render(), "# HELP g help with \\\\ and\\nnewline\n"
                               "# TYPE g gauge\n"
                               "g{source=\"a\\\"b\\\\c\\nd\"} 0.25\n");
  EXPECT_EQ(runs, 1);
  hook.reset();
  (void)registry.render();
  EXPECT_EQ(runs, 1); // unregistered: never runs again
}

TEST(MetricsRegistry, SampledFamiliesReadWhereTheEventsAreCounted) {
  Registry registry;
  std::atomic<long long> accepted{7};
  double open = 2;
  auto& counter = registry.sampled_counter("c_total", "Counted elsewhere.", {"phase"});
  auto& gauge = registry.sampled_gauge("g", "Read elsewhere.");
  auto idle = counter.add({"idle"}, [&] { return static_cast<double>(accepted.load()); });
  auto write = counter.add({"write"}, [] { return 1.0; });
  std::vector<Registration> kept;
  kept.push_back(gauge.add({}, [&] { return open; }));
  accepted = 9;
  open = 0.5;
  EXPECT_EQ(registry.render(), "# HELP c_total Counted elsewhere.\n"
                               "# TYPE c_total counter\n"
                               "c_total{phase=\"idle\"} 9\n"
                               "c_total{phase=\"write\"} 1\n"
                               "# HELP g Read elsewhere.\n"
                               "# TYPE g gauge\n"
                               "g 0.5\n");

  // A destroyed (or moved-from and reset) registration takes its sample along.
  Registration moved = std::move(idle);
  idle.reset();
  EXPECT_NE(registry.render().find("phase=\"idle\""), std::string::npos);
  moved = std::move(write); // the idle sample goes as `moved` is reassigned
  kept.clear();
  EXPECT_EQ(registry.render(), "# HELP c_total Counted elsewhere.\n"
                               "# TYPE c_total counter\n"
                               "c_total{phase=\"write\"} 1\n"
                               "# HELP g Read elsewhere.\n"
                               "# TYPE g gauge\n");
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
