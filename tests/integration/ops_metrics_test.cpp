#include "support/process.hpp"
#include "support/recording_server.hpp"

#include "homectl/metrics/registry.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace homectl;
using namespace homectl::testing;
using namespace std::chrono_literals;

namespace {

class MetricsCommand : public ::testing::Test {
protected:
  void SetUp() override {
    auto& requests = registry.counter("homectl_http_requests_total", "HTTP requests",
                                      {"route", "method", "code"});
    requests.with({"/ready", "GET", "200"}).inc(4);
    requests.with({"/ready", "GET", "503"}).inc(1);
    auto& h = registry.histogram("homectl_http_request_duration_seconds", "Latency", {"route"},
                                 {0.001, 0.01, 0.1});
    for (int i = 0; i < 5; ++i) {
      h.with({"/ready"}).observe(0.005);
    }
    registry.counter("homectl_cache_lookups_total", "Lookups", {"source", "result"})
        .with({"plug", "hit"})
        .inc(3);
    registry.gauge("homectl_breaker_state", "Breaker", {"source"}).with({"plug"}).set(0);
    registry.gauge("homectl_redis_up", "Redis").get().set(0);
    serve(registry.render());
  }
  void serve(const std::string& body) {
    daemon.reply("GET", "/metrics",
                 Reply{200, body, std::string(metrics::k_content_type), {}, 0ms});
  }
  ProcessResult metrics(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"metrics", "--url", daemon.url()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_homectl(args, {{"HOMECTL_URL", ""}});
  }

  metrics::Registry registry;
  RecordingServer daemon;
};

} // namespace

TEST_F(MetricsCommand, RendersATable) {
  auto r = metrics();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("/ready  5         20.0%   5.5ms  9.5ms  9.9ms"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("plug    3        100.0%  0.0%   0.0%  closed   never"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("redis: DOWN"), std::string::npos) << r.out;
}

TEST_F(MetricsCommand, PromFormatPassesTheTextThrough) {
  auto r = metrics({"--format", "prom"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, registry.render());
}

TEST_F(MetricsCommand, JsonFormat) {
  auto r = metrics({"--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["routes"][0]["route"], "/ready");
  EXPECT_EQ(doc["routes"][0]["requests"], 5.0);
  EXPECT_EQ(doc["redis_up"], false);
}

TEST_F(MetricsCommand, MalformedAnswerIsAClearError) {
  serve("homectl_up 1\nhomectl_broken{route=\"/x} 1\n");
  auto r = metrics();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "homectl: " + daemon.url() +
                       "/metrics: malformed Prometheus text: line 2: label value for \"route\" "
                       "is not terminated\n");
}

TEST_F(MetricsCommand, UnreachableDaemonIsAnError) {
  auto r = run_homectl({"metrics", "--url", "http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
}

TEST_F(MetricsCommand, WatchShowsRatesFromDeltas) {
  auto r = metrics({"--watch", "100ms", "--iterations", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(totals since start)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(rates over the last interval)"), std::string::npos) << r.out;
  // Nothing changed between the two snapshots: zero requests per second.
  EXPECT_NE(r.out.find("REQ/S"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/ready  0.00"), std::string::npos) << r.out;
  EXPECT_EQ(daemon.requests_to("/metrics").size(), 2U);
}

TEST_F(MetricsCommand, BadFormatIsAUsageError) {
  auto r = metrics({"--format", "xml"});
  EXPECT_EQ(r.exit_code, 64);
}
