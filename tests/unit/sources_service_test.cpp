#include "homectl/metrics/registry.hpp"
#include "homectl/sources/routes.hpp"
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
using testing::run_until;

using Fixture = testing::ServiceFixture;

TEST(SourcesService, MissFetchesStoresThenHits) {
  Fixture f;
  f.fetcher.fallback = FakeFetcher::ok("{\"t\":21}");
  auto lookup = f.get();
  EXPECT_EQ(lookup.kind, LookupKind::stored);
  EXPECT_EQ(cache_status(lookup), "homectl; fwd=miss; stored");
  ASSERT_TRUE(lookup.entry);
  EXPECT_EQ(*lookup.entry->body, "{\"t\":21}");
  EXPECT_EQ(lookup.entry->content_type, "application/json");
  EXPECT_EQ(lookup.entry->etag.front(), '"');
  EXPECT_EQ(lookup.entry->etag.size(), 34u);

  f.clock.advance(10s);
  lookup = f.get();
  EXPECT_EQ(lookup.kind, LookupKind::hit);
  EXPECT_EQ(cache_status(lookup), "homectl; hit; ttl=50");
  EXPECT_EQ(lookup.age, 10s);
  EXPECT_EQ(f.fetcher.calls, 1);
  EXPECT_EQ(f.metric("homectl_cache_lookups_total{source=\"weather\",result=\"hit\"}"), 1);
  EXPECT_EQ(f.metric("homectl_cache_lookups_total{source=\"weather\",result=\"miss\"}"), 1);
  EXPECT_EQ(f.metric("homectl_source_requests_total{source=\"weather\",outcome=\"ok\"}"), 1);
  EXPECT_EQ(f.metric("homectl_cache_entries"), 1);
  EXPECT_GT(f.metric("homectl_cache_bytes"), 8);
}

TEST(SourcesService, UnknownSource) {
  Fixture f;
  EXPECT_EQ(f.get("nope").kind, LookupKind::unknown_source);
  auto trigger = run_await(f.ctx, f.service.refresh("nope", std::nullopt));
  ASSERT_TRUE(trigger);
  EXPECT_FALSE(trigger->known);
  EXPECT_FALSE(f.service.history("nope"));
}

TEST(SourcesService, StaleWhileRevalidateServesAtOnceWithOneBackgroundRefresh) {
  Fixture f;
  f.get();
  f.clock.advance(72s);
  f.fetcher.hold = true;
  f.fetcher.fallback = FakeFetcher::ok("{\"t\":22}");
  for (int i = 0; i < 20; ++i) {
    const auto lookup = f.get();
    EXPECT_EQ(lookup.kind, LookupKind::stale);
    EXPECT_EQ(cache_status(lookup), "homectl; hit; ttl=-12; detail=stale-while-revalidate");
    EXPECT_EQ(*lookup.entry->body, "{\"v\":1}");
  }
  run_ready(f.ctx);
  EXPECT_EQ(f.fetcher.calls, 2); // the first fetch plus exactly one refresh
  f.fetcher.release();
  run_until(f.ctx, [&] { return f.get().kind == LookupKind::hit; });
  const auto lookup = f.get();
  EXPECT_EQ(cache_status(lookup), "homectl; hit; ttl=60");
  EXPECT_EQ(*lookup.entry->body, "{\"t\":22}");
  EXPECT_EQ(f.fetcher.calls, 2);
}

TEST(SourcesService, StaleIfErrorServesThroughAnOutageAndRecovers) {
  Fixture f;
  const auto good = f.get().entry;
  f.fetcher.fallback = FakeFetcher::failed(500, "HTTP 500");
  f.clock.advance(70s);
  EXPECT_EQ(f.get().kind, LookupKind::stale); // triggers a refresh that fails
  run_ready(f.ctx);
  EXPECT_EQ(f.fetcher.calls, 2);

  f.clock.advance(890s); // 900 s past expiry: beyond swr, inside sie
  auto lookup = f.get();
  EXPECT_EQ(lookup.kind, LookupKind::stale);
  EXPECT_EQ(cache_status(lookup), "homectl; hit; ttl=-900; detail=stale-if-error");
  EXPECT_EQ(lookup.entry, good);
  run_ready(f.ctx);
  const auto views = f.service.sources();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].state, "error");
  EXPECT_EQ(views[0].last_error, "HTTP 500");

  f.fetcher.fallback = FakeFetcher::ok("{\"t\":23}");
  f.clock.advance(1s); // past the back-off that follows a failed refresh
  f.get();             // still stale-if-error, triggers the refresh that now works
  run_until(f.ctx, [&] { return f.get().kind == LookupKind::hit; });
  EXPECT_EQ(*f.get().entry->body, "{\"t\":23}");
  EXPECT_EQ(f.service.sources()[0].state, "fresh");
}

TEST(SourcesService, StaleReadsBackOffAfterAFailedRefresh) {
  Fixture f; // retry_backoff 200 ms, breaker after 3 failures
  f.get();
  f.fetcher.fallback = FakeFetcher::failed(503, "HTTP 503");
  f.clock.advance(70s);
  const auto reads_then_fetches = [&](int reads) {
    for (int i = 0; i < reads; ++i) {
      EXPECT_EQ(f.get().kind, LookupKind::stale);
      run_ready(f.ctx);
    }
    return f.fetcher.calls;
  };
  EXPECT_EQ(reads_then_fetches(20), 2) << "one failed refresh; the reads after it wait";
  f.clock.advance(199ms);
  EXPECT_EQ(reads_then_fetches(20), 2);
  f.clock.advance(1ms);
  EXPECT_EQ(reads_then_fetches(20), 3) << "after retry_backoff, one more attempt";
  f.clock.advance(200ms);
  EXPECT_EQ(reads_then_fetches(20), 3) << "the second failure doubled the wait";
  f.clock.advance(200ms);
  f.fetcher.fallback = FakeFetcher::ok("{\"t\":24}");
  EXPECT_EQ(reads_then_fetches(1), 4);
  EXPECT_EQ(f.get().kind, LookupKind::hit) << "a success ends the back-off";
  EXPECT_EQ(f.metric("homectl_source_requests_total{source=\"weather\",outcome=\"error\"}"), 2);
  EXPECT_EQ(f.metric("homectl_source_failures_total{source=\"weather\",reason=\"status_5xx\"}"), 2);
}

TEST(SourcesService, FailedRefreshNeverReplacesTheGoodValue) {
  Fixture f;
  const auto good = f.get().entry;
  f.fetcher.fallback = FakeFetcher::failed(0, "connect: Connection refused");
  const auto report = f.refresh();
  EXPECT_EQ(report.outcome, FetchOutcome::error);
  EXPECT_FALSE(report.changed);
  EXPECT_EQ(report.entry, good);
  const auto lookup = f.get();
  EXPECT_EQ(lookup.entry, good);
  EXPECT_EQ(lookup.kind, LookupKind::hit);
}

TEST(SourcesService, NothingServableMapsOutcomesTo502And504And503) {
  Fixture f;
  f.fetcher.fallback = FakeFetcher::failed(503, "HTTP 503");
  auto lookup = f.get();
  EXPECT_EQ(lookup.kind, LookupKind::unavailable);
  EXPECT_EQ(lookup.failure, FetchOutcome::error);
  auto answer = unavailable(lookup, "weather");
  EXPECT_EQ(answer.status, 502);
  EXPECT_EQ(answer.title, "Upstream failed");
  EXPECT_EQ(answer.detail, "source 'weather': upstream failed: HTTP 503");

  f.fetcher.fallback = FakeFetcher::failed(0, "timed out after 50 ms", FetchOutcome::timeout);
  lookup = f.get();
  EXPECT_EQ(unavailable(lookup, "weather").status, 504);
  lookup = f.get(); // third consecutive failure opens the breaker
  EXPECT_EQ(unavailable(lookup, "weather").status, 504);
  lookup = f.get();
  EXPECT_EQ(lookup.failure, FetchOutcome::breaker_open);
  answer = unavailable(lookup, "weather");
  EXPECT_EQ(answer.status, 503);
  ASSERT_TRUE(answer.retry_after);
  EXPECT_EQ(*answer.retry_after, 10s);
  EXPECT_EQ(f.fetcher.calls, 3);
}

TEST(SourcesService, BreakerOpensStopsFetchesHalfOpensAndCloses) {
  Fixture f;
  std::vector<std::string> changes;
  f.service.events().subscribe([&](const Event& e) {
    if (e.type == "breaker.changed") {
      changes.push_back(e.detail);
    }
  });
  f.fetcher.fallback = FakeFetcher::failed(500, "HTTP 500");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(f.refresh().outcome, FetchOutcome::error);
  }
  EXPECT_EQ(f.service.sources()[0].breaker, resilience::CircuitBreaker::State::open);
  EXPECT_EQ(f.metric("homectl_breaker_state{source=\"weather\"}"), 2);
  for (int i = 0; i < 5; ++i) {
    const auto report = f.refresh();
    EXPECT_EQ(report.outcome, FetchOutcome::breaker_open);
    ASSERT_TRUE(report.retry_after);
  }
  EXPECT_EQ(f.fetcher.calls, 3);
  EXPECT_EQ(f.metric("homectl_source_requests_total{source=\"weather\",outcome=\"breaker_open\"}"),
            5);

  f.clock.advance(10s); // jitter 0.5 → exactly the base open period
  EXPECT_EQ(f.service.sources()[0].breaker, resilience::CircuitBreaker::State::half_open);
  EXPECT_EQ(f.metric("homectl_breaker_state{source=\"weather\"}"), 1)
      << "the gauge follows the open period's end before any attempt";
  f.fetcher.fallback = FakeFetcher::ok("{}");
  EXPECT_EQ(f.refresh().outcome, FetchOutcome::ok);
  EXPECT_EQ(f.fetcher.calls, 4);
  EXPECT_EQ(f.service.sources()[0].breaker, resilience::CircuitBreaker::State::closed);
  EXPECT_EQ(f.metric("homectl_breaker_state{source=\"weather\"}"), 0);
  EXPECT_EQ(changes, (std::vector<std::string>{"open", "half_open", "closed"}));
}

TEST(SourcesService, AThousandConcurrentMissesShareOneFetch) {
  Fixture f;
  f.fetcher.hold = true;
  std::vector<Lookup> results;
  for (int i = 0; i < 1000; ++i) {
    boost::asio::co_spawn(
        f.ctx,
        [&]() -> boost::asio::awaitable<void> {
          results.push_back(co_await f.service.get("weather"));
        },
        boost::asio::detached);
  }
  run_ready(f.ctx);
  EXPECT_EQ(f.fetcher.calls, 1);
  EXPECT_TRUE(results.empty());
  f.fetcher.release();
  ASSERT_TRUE(run_until(f.ctx, [&] { return results.size() == 1000; }));
  EXPECT_EQ(f.fetcher.calls, 1);
  int stored = 0;
  int collapsed = 0;
  for (const auto& r : results) {
    stored += r.kind == LookupKind::stored;
    collapsed += r.kind == LookupKind::collapsed;
    EXPECT_EQ(r.entry, results.front().entry);
  }
  EXPECT_EQ(stored, 1);
  EXPECT_EQ(collapsed, 999);
  EXPECT_EQ(cache_status(results.back()), "homectl; fwd=miss; collapsed");
}

TEST(SourcesService, AWaiterGivesUpWithTheStaleCopyWhileTheFetchCarriesOn) {
  Fixture f;
  const auto old = f.get().entry;
  f.clock.advance(600s); // past swr (60 s after expiry), inside sie: revalidate first
  f.fetcher.hold = true;
  f.fetcher.fallback = FakeFetcher::ok("{\"t\":24}");
  const auto lookup = f.get(); // waits its own deadline (timeout = 50 ms), then gives up
  EXPECT_EQ(lookup.kind, LookupKind::stale);
  EXPECT_EQ(lookup.entry, old);
  EXPECT_EQ(cache_status(lookup), "homectl; hit; ttl=-540; detail=stale-if-error");
  EXPECT_EQ(f.fetcher.calls, 2);
  f.fetcher.release();
  ASSERT_TRUE(run_until(f.ctx, [&] { return f.service.sources()[0].state == "fresh"; }));
  EXPECT_EQ(*f.get().entry->body, "{\"t\":24}");
}

TEST(SourcesService, RevalidationPastTheSwrWindowIsForwarded) {
  Fixture f;
  f.get();
  f.clock.advance(600s);
  f.fetcher.fallback = FakeFetcher::ok("{\"t\":25}");
  const auto lookup = f.get();
  EXPECT_EQ(lookup.kind, LookupKind::stored);
  EXPECT_EQ(cache_status(lookup), "homectl; fwd=stale; stored");
  EXPECT_EQ(*lookup.entry->body, "{\"t\":25}");
}

TEST(SourcesService, PerSourceRateLimitHoldsUnderAFlood) {
  auto source = make_source();
  source.rate_limit = config::Rate{2, std::chrono::milliseconds(1000)};
  Fixture f({source});
  int ok = 0;
  int limited = 0;
  for (int i = 0; i < 200; ++i) {
    const auto report = f.refresh();
    ok += report.outcome == FetchOutcome::ok;
    limited += report.outcome == FetchOutcome::rate_limited;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(limited, 199);
  EXPECT_EQ(f.fetcher.calls, 1);
  f.clock.advance(500ms);
  EXPECT_EQ(f.refresh().outcome, FetchOutcome::ok);
  EXPECT_EQ(f.refresh().outcome, FetchOutcome::rate_limited);
  EXPECT_EQ(f.fetcher.calls, 2);
  EXPECT_EQ(f.metric("homectl_source_requests_total{source=\"weather\",outcome=\"rate_limited\"}"),
            200);
}

TEST(SourcesService, LruEvictsTheLeastRecentlyUsedSourceByBytes) {
  auto config = make_config({make_source("a"), make_source("b"), make_source("c")});
  config.cache.max_size = 2500;
  boost::asio::io_context ctx;
  util::ManualClock clock;
  metrics::Registry registry;
  FakeFetcher fetcher;
  fetcher.fallback = FakeFetcher::ok(std::string(1000, 'x'));
  Service service(ctx.get_executor(), config, fetcher, registry, clock, [] { return 0.5; });
  run_await(ctx, service.get("a"));
  run_await(ctx, service.get("b"));
  run_await(ctx, service.get("a")); // a is now more recently used than b
  run_await(ctx, service.get("c")); // 3 × ~1 KB > 2500: b goes
  const auto views = service.sources();
  EXPECT_EQ(views[0].state, "fresh");
  EXPECT_EQ(views[1].state, "empty");
  EXPECT_EQ(views[2].state, "fresh");
  EXPECT_EQ(fetcher.calls, 3);
  EXPECT_EQ(run_await(ctx, service.get("b"))->kind, LookupKind::stored);
  EXPECT_EQ(fetcher.calls, 4);
}

TEST(SourcesService, EventsOnlyWhenTheEtagChanges) {
  Fixture f;
  std::vector<Event> events;
  f.service.events().subscribe([&](const Event& e) { events.push_back(e); });
  f.fetcher.script = {FakeFetcher::ok("A"), FakeFetcher::ok("A"), FakeFetcher::ok("B"),
                      FakeFetcher::failed(500, "HTTP 500")};
  EXPECT_TRUE(f.refresh().changed);
  EXPECT_FALSE(f.refresh().changed);
  EXPECT_TRUE(f.refresh().changed);
  EXPECT_FALSE(f.refresh().changed);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, "source.updated");
  EXPECT_EQ(events[0].etag, cache::strong_etag("A"));
  EXPECT_EQ(events[1].type, "source.updated");
  EXPECT_EQ(events[1].etag, cache::strong_etag("B"));
  EXPECT_EQ(events[2].type, "source.failed");
  EXPECT_EQ(events[2].etag, cache::strong_etag("B"));
  EXPECT_EQ(events[0].at, "2027-01-15T08:00:00.000Z");
}

TEST(SourcesService, HistoryKeepsTheLastSixtyOutcomes) {
  Fixture f;
  for (int i = 0; i < 70; ++i) {
    f.fetcher.fallback = i == 69 ? FakeFetcher::failed(502, "HTTP 502") : FakeFetcher::ok("x");
    f.refresh();
    f.clock.advance(1s);
  }
  const auto history = f.service.history("weather");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 60u);
  EXPECT_EQ(history->back().outcome, FetchOutcome::error);
  EXPECT_EQ(history->back().status, 502);
  EXPECT_EQ(history->back().error, "HTTP 502");
  EXPECT_EQ(history->back().duration_ms, 30);
  EXPECT_EQ(history->back().at - history->front().at, 59s);
}

TEST(SourcesService, SchedulerFetchesEmptySourcesPromptlyAtStart) {
  auto a = make_source("a");
  auto b = make_source("b");
  auto off = make_source("off");
  a.policy.refresh = std::chrono::minutes(10);
  b.policy.refresh = std::chrono::minutes(10);
  ServiceOptions options;
  options.startup_spread = 40ms;
  Fixture f({a, b, off}, options);
  f.service.start();
  ASSERT_TRUE(run_until(f.ctx, [&] { return f.fetcher.calls == 2; }));
  const auto views = f.service.sources();
  EXPECT_EQ(views[0].state, "fresh");
  EXPECT_EQ(views[1].state, "fresh");
  EXPECT_EQ(views[2].state, "empty"); // refresh "off": on demand only
  ASSERT_TRUE(views[0].next_refresh);
  // Next refresh in 10 min × U(0.9, 1.1); the injected 0.5 gives exactly 10 min.
  EXPECT_EQ(*views[0].next_refresh - f.clock.wall(), std::chrono::minutes(10));
  EXPECT_FALSE(views[2].next_refresh);
  f.service.stop();
  run_ready(f.ctx);
}

TEST(SourcesService, ReconfigureKeepsUnchangedEntries) {
  Fixture f({make_source("a"), make_source("b")});
  f.get("a");
  f.get("b");
  auto changed = make_source("b");
  changed.policy.ttl = 30s;
  f.service.reconfigure(make_config({make_source("a"), changed, make_source("c")}));
  run_ready(f.ctx);
  const auto views = f.service.sources();
  ASSERT_EQ(views.size(), 3u);
  EXPECT_EQ(views[0].state, "fresh");
  EXPECT_EQ(views[1].state, "empty");
  EXPECT_EQ(views[1].ttl, 30s);
  EXPECT_EQ(views[2].name, "c");
  EXPECT_EQ(f.metric("homectl_cache_entries"), 1);
  f.service.reconfigure(make_config({}));
  run_ready(f.ctx);
  EXPECT_TRUE(f.service.sources().empty());
  EXPECT_EQ(f.metric("homectl_cache_entries"), 0);
  EXPECT_EQ(f.metric("homectl_cache_bytes"), 0);
}

TEST(SourcesService, HealthFailsOnlyForRequiredSourcesWithNothingServable) {
  auto plug = make_source("plug");
  plug.required = true;
  Fixture f({plug, make_source("weather")});
  auto checks = f.service.health_checks();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].key, "source:plug");
  EXPECT_EQ(checks[0].status, health::Status::fail);
  EXPECT_EQ(checks[0].output, "required source has no value yet");
  EXPECT_EQ(checks[1].status, health::Status::pass);

  f.fetcher.fallback = FakeFetcher::failed(0, "connect: Connection refused");
  f.refresh("weather");
  f.refresh("plug");
  checks = f.service.health_checks();
  EXPECT_EQ(checks[0].status, health::Status::fail);
  EXPECT_EQ(checks[0].output, "required source has nothing servable: connect: Connection refused");
  EXPECT_EQ(checks[1].status, health::Status::warn);

  f.fetcher.fallback = FakeFetcher::ok("{}");
  f.refresh("plug");
  f.refresh("weather");
  checks = f.service.health_checks();
  EXPECT_EQ(checks[0].status, health::Status::pass);
  EXPECT_EQ(checks[1].status, health::Status::pass);
}

TEST(SourcesService, SourcesListRedactsUrls) {
  Fixture f;
  EXPECT_EQ(f.service.sources()[0].url,
            "http://<redacted>@127.0.0.1:9/v1/forecast?key=<redacted>&city=<redacted>");
}

} // namespace
} // namespace homectl::sources
