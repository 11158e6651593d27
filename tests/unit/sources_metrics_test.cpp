// The per-source gauges that alerting rules read: ttl, stale_while_revalidate,
// required, has_value and refresh_failing, and that a reload drops them for
// sources that are gone.
#include "homectl/metrics/registry.hpp"
#include "homectl/sources/service.hpp"
#include "sources_fakes.hpp"

#include <gtest/gtest.h>

namespace homectl::sources {
namespace {

using namespace std::chrono_literals;
using testing::FakeFetcher;
using testing::make_config;
using testing::make_source;
using testing::run_await;
using testing::run_ready;

struct Fixture : testing::ServiceFixture {
  using ServiceFixture::ServiceFixture;
  // The value of `name{source="<source>"}` in a render, or -1 when absent.
  double gauge(const std::string& name, const std::string& source) const {
    return metric(name + "{source=\"" + source + "\"}");
  }
};

config::SourceConfig required_source(std::string name) {
  auto source = make_source(std::move(name));
  source.required = true;
  source.policy.ttl = 30s;
  source.policy.stale_while_revalidate = 90s;
  return source;
}

TEST(SourcesMetrics, ConfiguredWindowsAndRequiredFlagPerSource) {
  Fixture f({make_source("weather"), required_source("plug")});
  EXPECT_EQ(f.gauge("homectl_source_ttl_seconds", "weather"), 60);
  EXPECT_EQ(f.gauge("homectl_source_stale_while_revalidate_seconds", "weather"), 60);
  EXPECT_EQ(f.gauge("homectl_source_required", "weather"), 0);
  EXPECT_EQ(f.gauge("homectl_source_ttl_seconds", "plug"), 30);
  EXPECT_EQ(f.gauge("homectl_source_stale_while_revalidate_seconds", "plug"), 90);
  EXPECT_EQ(f.gauge("homectl_source_required", "plug"), 1);
  EXPECT_EQ(f.gauge("homectl_breaker_state", "plug"), 0);
}

TEST(SourcesMetrics, HasValueUntilTtlPlusStaleIfErrorAndRefreshFailingFollowsTheLatestRefresh) {
  Fixture f({make_source("weather")}); // ttl 60 s, stale_if_error 3600 s
  EXPECT_EQ(f.gauge("homectl_source_has_value", "weather"), 0);
  EXPECT_EQ(f.gauge("homectl_source_refresh_failing", "weather"), 0);

  EXPECT_EQ(f.refresh("weather").outcome, FetchOutcome::ok);
  EXPECT_EQ(f.gauge("homectl_source_has_value", "weather"), 1);

  f.fetcher.fallback = FakeFetcher::failed(503, "HTTP 503");
  f.clock.advance(3659s);
  EXPECT_EQ(f.refresh("weather").outcome, FetchOutcome::error);
  EXPECT_EQ(f.gauge("homectl_source_refresh_failing", "weather"), 1);
  EXPECT_EQ(f.gauge("homectl_source_has_value", "weather"), 1); // 1 s of stale_if_error left
  f.clock.advance(1s);
  EXPECT_EQ(f.gauge("homectl_source_has_value", "weather"), 0);

  f.fetcher.fallback = FakeFetcher::ok("{}");
  EXPECT_EQ(f.refresh("weather").outcome, FetchOutcome::ok);
  EXPECT_EQ(f.gauge("homectl_source_has_value", "weather"), 1);
  EXPECT_EQ(f.gauge("homectl_source_refresh_failing", "weather"), 0);
}

TEST(SourcesMetrics, ReloadDropsTheGaugesOfRemovedSourcesAndUpdatesChangedOnes) {
  Fixture f({make_source("weather"), required_source("plug")});
  EXPECT_EQ(f.refresh("plug").outcome, FetchOutcome::ok);
  auto changed = make_source("weather");
  changed.policy.ttl = 15s;
  f.service.reconfigure(make_config({changed}));
  run_ready(f.ctx);
  EXPECT_EQ(f.gauge("homectl_source_ttl_seconds", "weather"), 15);
  // The changed source's scrape-time gauges come from its new state only.
  const auto text = f.registry.render();
  for (const std::string series : {"homectl_breaker_state{source=\"weather\"}",
                                   "homectl_source_has_value{source=\"weather\"}"}) {
    const auto first = text.find(series);
    ASSERT_NE(first, std::string::npos) << series;
    EXPECT_EQ(text.find(series, first + 1), std::string::npos) << series << " twice";
  }
  for (const auto* name :
       {"homectl_breaker_state", "homectl_source_last_success_timestamp_seconds",
        "homectl_source_ttl_seconds", "homectl_source_stale_while_revalidate_seconds",
        "homectl_source_required", "homectl_source_has_value", "homectl_source_refresh_failing"}) {
    EXPECT_EQ(f.gauge(name, "plug"), -1) << name;
  }
  EXPECT_NE(
      f.registry.render().find("homectl_source_requests_total{source=\"plug\",outcome=\"ok\"} 1"),
      std::string::npos)
      << "counters keep their totals";
}

TEST(SourcesMetrics, ARefreshThatOutlivesItsSourceLeavesNoGaugeBehind) {
  auto plug = required_source("plug");
  plug.policy.breaker_failures = 1; // the failure below opens the breaker
  Fixture f({plug});
  f.fetcher.hold = true;
  run_await(f.ctx, f.service.refresh("plug", std::nullopt));
  f.service.reconfigure(make_config({}));
  run_ready(f.ctx);
  f.fetcher.fallback = FakeFetcher::failed(503, "HTTP 503");
  f.fetcher.release();
  ASSERT_TRUE(testing::run_until(f.ctx, [&] {
    return f.registry.render().find(
               "homectl_source_requests_total{source=\"plug\",outcome=\"error\"} 1") !=
           std::string::npos;
  }));
  EXPECT_EQ(f.gauge("homectl_breaker_state", "plug"), -1);
}

} // namespace
} // namespace homectl::sources
