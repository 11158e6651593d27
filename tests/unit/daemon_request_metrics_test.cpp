#include "homectl/daemon/request_metrics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace homectl::daemon {
namespace {

boost::asio::awaitable<http::Response> ok(const http::Request&, const http::RouteParams&) {
  co_return http::Response::text(200, "ok");
}

class CountingRequests : public ::testing::Test {
protected:
  CountingRequests() : http(registry), counts(http, router) {
    router.add({.method = http::Method::get, .pattern = "/live", .handler = ok});
    router.add({.method = http::Method::get, .pattern = "/v1/sources/{name}", .handler = ok});
    router.add({.method = http::Method::get, .pattern = "/unused", .handler = ok});
  }
  bool has(const std::string& line) const {
    return registry.render().find(line) != std::string::npos;
  }

  metrics::Registry registry;
  HttpMetrics http;
  http::Router router;
  RequestMetrics counts;
};

TEST_F(CountingRequests, CountsByRouteMethodAndCodeAndObservesLatency) {
  counts.count("/live", http::Method::get, 200, 0.0002);
  counts.count("/live", http::Method::get, 200, 0.0002);
  counts.count("/live", http::Method::head, 200, 0.0002);
  counts.count("/v1/sources/{name}", http::Method::get, 304, 0.002);
  EXPECT_TRUE(has("homectl_http_requests_total{route=\"/live\",method=\"GET\",code=\"200\"} 2\n"));
  EXPECT_TRUE(has("homectl_http_requests_total{route=\"/live\",method=\"HEAD\",code=\"200\"} 1\n"));
  EXPECT_TRUE(has("homectl_http_requests_total{route=\"/v1/sources/{name}\",method=\"GET\","
                  "code=\"304\"} 1\n"));
  EXPECT_TRUE(has("homectl_http_request_duration_seconds_count{route=\"/live\"} 3\n"));
  EXPECT_TRUE(
      has("homectl_http_request_duration_seconds_bucket{route=\"/live\",le=\"0.0005\"} 3\n"));
  EXPECT_TRUE(has("homectl_http_request_duration_seconds_count{route=\"/v1/sources/{name}\"} 1\n"));
}

// Series appear only once used, as they did with a look-up per request.
TEST_F(CountingRequests, CreatesNoSeriesBeforeTheirFirstUse) {
  counts.count("/live", http::Method::get, 200, 0.001);
  const auto text = registry.render();
  EXPECT_EQ(text.find("/unused"), std::string::npos) << text;
  EXPECT_EQ(text.find("code=\"404\""), std::string::npos) << text;
}

// Endpoints the router does not know and rare codes take the family look-up
// and land in the same series.
TEST_F(CountingRequests, CountsUnknownEndpointsAndRareCodes) {
  counts.count(k_unmatched, http::Method::other, 431, 0.001);
  counts.count("/not/a/route", http::Method::post, 200, 0.001);
  counts.count("/live", http::Method::get, 418, 0.001);
  counts.count("/live", http::Method::get, 418, 0.001);
  EXPECT_TRUE(has("homectl_http_requests_total{route=\"unmatched\",method=\"OTHER\","
                  "code=\"431\"} 1\n"));
  EXPECT_TRUE(has("homectl_http_requests_total{route=\"/not/a/route\",method=\"POST\","
                  "code=\"200\"} 1\n"));
  EXPECT_TRUE(has("homectl_http_requests_total{route=\"/live\",method=\"GET\",code=\"418\"} 2\n"));
  EXPECT_TRUE(has("homectl_http_request_duration_seconds_count{route=\"/live\"} 2\n"));
}

// Several event-loop threads count at once; the first use races on the slot.
TEST_F(CountingRequests, CountsFromManyThreadsWithoutLosingAny) {
  constexpr int k_threads = 4;
  constexpr int k_each = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < k_each; ++i) {
        counts.count("/v1/sources/{name}", http::Method::get, 200, 0.001);
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_TRUE(has("homectl_http_requests_total{route=\"/v1/sources/{name}\",method=\"GET\","
                  "code=\"200\"} 8000\n"));
  EXPECT_TRUE(
      has("homectl_http_request_duration_seconds_count{route=\"/v1/sources/{name}\"} 8000\n"));
}

} // namespace
} // namespace homectl::daemon
