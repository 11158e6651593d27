#include "homectl/http/router.hpp"
#include "homectl/metrics/registry.hpp"
#include "homectl/sources/routes.hpp"
#include "homectl/sources/service.hpp"
#include "sources_fakes.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace homectl::sources {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FakeFetcher;
using testing::make_config;
using testing::make_source;
using testing::run_await;
using testing::run_ready;
using testing::run_until;

struct Api : testing::ServiceFixture {
  explicit Api(ServiceOptions options = {})
      : ServiceFixture({make_source("weather"), make_source("plug")}, options) {
    register_routes(router, service);
  }

  http::Response call(http::Method method, const std::string& target,
                      std::vector<http::Header> headers = {}) {
    http::Request request;
    request.method = method;
    request.target = target;
    const auto q = target.find('?');
    request.path = target.substr(0, q);
    request.query = q == std::string::npos ? "" : target.substr(q + 1);
    request.headers = std::move(headers);
    const auto match = router.match(method, request.path);
    EXPECT_NE(match.route, nullptr) << target;
    return *run_await(ctx, match.route->handler(request, match.params));
  }
  static json body(const http::Response& r) { return json::parse(*r.body); }

  http::Router router;
};

TEST(SourcesRoutes, RouteTableClassesAndAuth) {
  Api api;
  const auto refresh = api.router.match(http::Method::post, "/v1/sources/x/refresh");
  ASSERT_NE(refresh.route, nullptr);
  EXPECT_EQ(refresh.route->route_class, http::RouteClass::refresh);
  EXPECT_TRUE(refresh.route->needs_auth);
  const auto get = api.router.match(http::Method::get, "/v1/sources/x");
  ASSERT_NE(get.route, nullptr);
  EXPECT_FALSE(get.route->needs_auth);
  EXPECT_NE(api.router.match(http::Method::get, "/v1/events").route, nullptr);
  EXPECT_NE(api.router.match(http::Method::get, "/v1/sources/x/history").route, nullptr);
}

TEST(SourcesRoutes, CachedGetCarriesValidatorsAndCacheStatus) {
  Api api;
  api.fetcher.fallback = FakeFetcher::ok(R"({"t":21})", "application/json; charset=utf-8");
  auto r = api.call(http::Method::get, "/v1/sources/weather");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(*r.body, R"({"t":21})");
  EXPECT_EQ(r.header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.header("Cache-Status"), "homectl; fwd=miss; stored");
  const std::string etag(r.header("ETag"));
  EXPECT_EQ(etag, cache::strong_etag(R"({"t":21})"));

  api.clock.advance(15s);
  r = api.call(http::Method::get, "/v1/sources/weather");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Age"), "15");
  EXPECT_EQ(r.header("Cache-Control"), "max-age=45");
  EXPECT_EQ(r.header("Cache-Status"), "homectl; hit; ttl=45");
  EXPECT_EQ(r.header("Last-Modified"), "Fri, 15 Jan 2027 08:00:00 GMT");

  r = api.call(http::Method::get, "/v1/sources/weather", {{"If-None-Match", "\"x\", " + etag}});
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.header("ETag"), etag);
  EXPECT_EQ(r.header("Cache-Status"), "homectl; hit; ttl=45");
  EXPECT_FALSE(r.body && !r.body->empty());
  r = api.call(http::Method::get, "/v1/sources/weather", {{"If-None-Match", "W/" + etag}});
  EXPECT_EQ(r.status, 304);
  r = api.call(http::Method::get, "/v1/sources/weather", {{"If-None-Match", "\"other\""}});
  EXPECT_EQ(r.status, 200);

  api.clock.advance(60s);
  r = api.call(http::Method::get, "/v1/sources/weather");
  EXPECT_EQ(r.header("Cache-Control"), "max-age=0");
  EXPECT_EQ(r.header("Cache-Status"), "homectl; hit; ttl=-15; detail=stale-while-revalidate");
}

TEST(SourcesRoutes, ProblemsForUnknownAndFailingSources) {
  Api api;
  auto r = api.call(http::Method::get, "/v1/sources/wether");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(Api::body(r)["detail"], "no source named 'wether'; did you mean 'weather'?");

  api.fetcher.fallback = FakeFetcher::failed(500, "HTTP 500 from upstream");
  r = api.call(http::Method::get, "/v1/sources/plug");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(Api::body(r)["detail"], "source 'plug': upstream failed: HTTP 500 from upstream");
  EXPECT_EQ(Api::body(r)["status"], 502);
  api.fetcher.fallback = FakeFetcher::failed(0, "timed out", FetchOutcome::timeout);
  r = api.call(http::Method::get, "/v1/sources/plug");
  EXPECT_EQ(r.status, 504);
  r = api.call(http::Method::get, "/v1/sources/plug");
  r = api.call(http::Method::get, "/v1/sources/plug");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("Retry-After"), "10");
}

TEST(SourcesRoutes, RefreshAcceptsOrWaitsForTheOutcome) {
  Api api;
  auto r = api.call(http::Method::post, "/v1/sources/weather/refresh");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(Api::body(r), (json{{"source", "weather"}, {"state", "refreshing"}}));
  run_ready(api.ctx);
  EXPECT_EQ(api.fetcher.calls, 1);

  api.fetcher.fallback = FakeFetcher::ok("new");
  r = api.call(http::Method::post, "/v1/sources/weather/refresh?wait=5s");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Api::body(r), (json{{"source", "weather"},
                                {"outcome", "ok"},
                                {"status", 200},
                                {"duration_ms", 12},
                                {"changed", true}}));

  r = api.call(http::Method::post, "/v1/sources/weather/refresh?wait=soon");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Api::body(r)["detail"],
            "query parameter wait=\"soon\" is not a duration up to 1h (e.g. 5s, 500ms, 1m)");
  r = api.call(http::Method::post, "/v1/sources/nope/refresh");
  EXPECT_EQ(r.status, 404);
}

TEST(SourcesRoutes, HistoryAndList) {
  Api api;
  api.call(http::Method::post, "/v1/sources/weather/refresh?wait=5s");
  api.fetcher.fallback = FakeFetcher::failed(502, "HTTP 502");
  api.call(http::Method::post, "/v1/sources/weather/refresh?wait=5s");

  auto r = api.call(http::Method::get, "/v1/sources/weather/history");
  EXPECT_EQ(r.status, 200);
  const auto history = Api::body(r);
  EXPECT_EQ(history["source"], "weather");
  ASSERT_EQ(history["entries"].size(), 2u);
  EXPECT_EQ(history["entries"][0], (json{{"at", "2027-01-15T08:00:00.000Z"},
                                         {"duration_ms", 12.0},
                                         {"status", 200},
                                         {"outcome", "ok"}}));
  EXPECT_EQ(history["entries"][1]["error"], "HTTP 502");
  EXPECT_EQ(api.call(http::Method::get, "/v1/sources/nope/history").status, 404);

  r = api.call(http::Method::get, "/v1/sources");
  const auto list = Api::body(r)["sources"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "plug");
  EXPECT_EQ(list[0]["state"], "empty");
  EXPECT_EQ(list[1]["name"], "weather");
  EXPECT_EQ(list[1]["state"], "fresh");
  EXPECT_EQ(list[1]["age_s"], 0);
  EXPECT_EQ(list[1]["ttl_s"], 60);
  EXPECT_EQ(list[1]["refresh_s"], "off");
  EXPECT_EQ(list[1]["url"],
            "http://<redacted>@127.0.0.1:9/v1/forecast?key=<redacted>&city=<redacted>");
  EXPECT_EQ(list[1]["last_error"]["message"], "HTTP 502");
  EXPECT_EQ(list[1]["breaker"], "closed");
}

// An SSE sink that records chunks; `accept` false = the client is gone.
class RecordingStream final : public http::EventStream {
public:
  boost::asio::awaitable<bool> send(std::string chunk) override {
    chunks.push_back(std::move(chunk));
    co_return accept;
  }
  bool closing() const override { return closing_now; }
  std::vector<std::string> chunks;
  bool accept = true;
  bool closing_now = false;
};

TEST(SourcesRoutes, EventsStreamFramesAndStopsWhenTheClientLeaves) {
  Api api;
  auto r = api.call(http::Method::get, "/v1/events");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/event-stream");
  ASSERT_TRUE(r.stream);
  RecordingStream out;
  bool finished = false;
  boost::asio::co_spawn(
      api.ctx,
      [&]() -> boost::asio::awaitable<void> {
        co_await r.stream(out);
        finished = true;
      },
      boost::asio::detached);
  ASSERT_TRUE(run_until(api.ctx, [&] { return api.service.events().subscribers() == 1; }));
  api.fetcher.fallback = FakeFetcher::ok("A");
  api.call(http::Method::post, "/v1/sources/weather/refresh?wait=5s");
  ASSERT_TRUE(run_until(api.ctx, [&] { return out.chunks.size() == 2; }));
  EXPECT_EQ(out.chunks[0], "retry: 3000\n\n");
  EXPECT_EQ(out.chunks[1], "event: source.updated\ndata: {\"v\":1,\"type\":\"source.updated\","
                           "\"source\":\"weather\",\"etag\":\"" +
                               std::string(R"(\")") + cache::strong_etag("A").substr(1, 32) +
                               R"(\")" + "\",\"at\":\"2027-01-15T08:00:00.000Z\"}\n\n");
  out.accept = false;
  api.fetcher.fallback = FakeFetcher::ok("B");
  api.call(http::Method::post, "/v1/sources/weather/refresh?wait=5s");
  ASSERT_TRUE(run_until(api.ctx, [&] { return finished; }));
  EXPECT_EQ(api.service.events().subscribers(), 0u);
}

TEST(SourcesRoutes, EventSubscribersAreBounded) {
  ServiceOptions options;
  options.max_subscribers = 2;
  Api api(options);
  auto a = api.call(http::Method::get, "/v1/events");
  auto b = api.call(http::Method::get, "/v1/events");
  auto c = api.call(http::Method::get, "/v1/events");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(c.status, 503);
  EXPECT_EQ(c.header("Retry-After"), "5");
  a = http::Response{}; // the first stream ends: its seat is free again
  EXPECT_EQ(api.call(http::Method::get, "/v1/events").status, 200);
}

TEST(SourcesRoutes, SlowEventSubscribersAreDropped) {
  ServiceOptions options;
  options.subscriber_queue = 2;
  Api api(options);
  auto r = api.call(http::Method::get, "/v1/events");
  // A client that never reads: its send never completes.
  class StuckStream final : public http::EventStream {
  public:
    boost::asio::awaitable<bool> send(std::string) override {
      boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
      t.expires_after(std::chrono::hours(1));
      m_timer = &t;
      co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      co_return false;
    }
    bool closing() const override { return false; }
    void unblock() {
      if (m_timer) {
        m_timer->cancel();
      }
    }

  private:
    boost::asio::steady_timer* m_timer = nullptr;
  } out;
  bool finished = false;
  boost::asio::co_spawn(
      api.ctx,
      [&]() -> boost::asio::awaitable<void> {
        co_await r.stream(out);
        finished = true;
      },
      boost::asio::detached);
  ASSERT_TRUE(run_until(api.ctx, [&] { return api.service.events().subscribers() == 1; }));
  for (int i = 0; i < 5; ++i) {
    api.fetcher.fallback = FakeFetcher::ok("v" + std::to_string(i));
    // Refreshes complete although the subscriber is stuck.
    EXPECT_EQ(api.call(http::Method::post, "/v1/sources/weather/refresh?wait=5s").status, 200);
  }
  out.unblock();
  ASSERT_TRUE(run_until(api.ctx, [&] { return finished; }));
  EXPECT_EQ(api.service.events().subscribers(), 0u);
}

TEST(SourcesRoutes, UnavailableNamesTheCause) {
  Lookup lookup;
  lookup.kind = LookupKind::unavailable;
  lookup.waited = 6000ms;
  auto answer = unavailable(lookup, "plug");
  EXPECT_EQ(answer.status, 504);
  EXPECT_EQ(answer.title, "Upstream timed out");
  EXPECT_EQ(answer.detail,
            "source 'plug': no answer from upstream within 6000 ms; the fetch continues");
  EXPECT_FALSE(answer.retry_after);

  lookup.failure = FetchOutcome::rate_limited;
  answer = unavailable(lookup, "plug");
  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(answer.title, "Source unavailable");
  EXPECT_EQ(answer.detail, "source 'plug': outbound rate limit reached");
  EXPECT_EQ(answer.retry_after, std::chrono::seconds(1));
  lookup.retry_after = std::chrono::seconds(30);
  EXPECT_EQ(unavailable(lookup, "plug").retry_after, std::chrono::seconds(30));

  lookup.failure = FetchOutcome::error;
  lookup.error.clear();
  EXPECT_EQ(unavailable(lookup, "plug").detail, "source 'plug': upstream failed");
}

TEST(SourcesRoutes, CacheStatusDescribesHowALookupWasServed) {
  Lookup lookup;
  lookup.ttl = 60s;
  lookup.age = 15s;
  lookup.kind = LookupKind::hit;
  EXPECT_EQ(cache_status(lookup), "homectl; hit; ttl=45");
  lookup.kind = LookupKind::stale;
  lookup.age = 90s;
  lookup.freshness = cache::Freshness::stale_while_revalidate;
  EXPECT_EQ(cache_status(lookup), "homectl; hit; ttl=-30; detail=stale-while-revalidate");
  lookup.kind = LookupKind::collapsed;
  lookup.replaced_stale = true;
  EXPECT_EQ(cache_status(lookup), "homectl; fwd=stale; collapsed");
}

} // namespace
} // namespace homectl::sources
