// How the Service coordinates refreshes through a shared store (Redis in the
// daemon): which refreshes look at the shared copy first and which take the
// refresh lock, so several instances make about one upstream call per interval.
#include "homectl/metrics/registry.hpp"
#include "homectl/sources/service.hpp"
#include "homectl/sources/shared_store.hpp"
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

// A shared store in memory: one entry per source, a lock another instance
// may hold, and counters of what the Service asked.
class FakeSharedStore final : public SharedStore {
public:
  boost::asio::awaitable<std::optional<StoredEntry>> load(std::string source,
                                                          std::size_t max_body) override {
    ++loads;
    const auto it = entries.find(source);
    if (it == entries.end() || it->second.body.size() > max_body) {
      co_return std::nullopt;
    }
    co_return std::optional<StoredEntry>(it->second);
  }
  boost::asio::awaitable<void> store(std::string source, StoredEntry entry,
                                     std::chrono::milliseconds) override {
    ++stores;
    entries[source] = std::move(entry);
    co_return;
  }
  boost::asio::awaitable<bool> try_lock(std::string, std::chrono::milliseconds) override {
    ++lock_attempts;
    co_return !held_by_other;
  }
  boost::asio::awaitable<void> unlock(std::string) override {
    ++unlocks;
    co_return;
  }
  void publish(const Event& event) override { published.push_back(event); }

  std::map<std::string, StoredEntry> entries;
  bool held_by_other = false;
  int loads = 0;
  int stores = 0;
  int lock_attempts = 0;
  int unlocks = 0;
  std::vector<Event> published;
};

struct SharedFixture {
  SharedFixture() : config(make_config({make_source()})), service(make_service()) {}

  Service make_service() {
    ServiceOptions options;
    options.shared_store = &store;
    return Service(
        ctx.get_executor(), config, fetcher, registry, clock, [] { return 0.5; }, options);
  }
  Lookup get() { return *run_await(ctx, service.get("weather")); }
  // What another instance leaves in the shared store after its fetch now.
  void peer_fetched(std::string body) {
    store.entries["weather"] =
        StoredEntry{std::move(body), "application/json", "\"peer\"", 200, clock.wall(), {}};
  }

  boost::asio::io_context ctx;
  util::ManualClock clock;
  metrics::Registry registry;
  FakeFetcher fetcher;
  FakeSharedStore store;
  config::Config config;
  Service service;
};

TEST(SourcesSharedRefresh, StaleReadAdoptsAFresherSharedEntryInsteadOfFetching) {
  SharedFixture f;
  ASSERT_EQ(f.get().kind, LookupKind::stored);
  ASSERT_EQ(f.fetcher.calls, 1);
  f.clock.advance(72s);
  f.peer_fetched("{\"peer\":1}");

  EXPECT_EQ(f.get().kind, LookupKind::stale); // served at once, revalidated behind
  ASSERT_TRUE(run_until(f.ctx, [&] { return f.get().kind == LookupKind::hit; }));
  EXPECT_EQ(*f.get().entry->body, "{\"peer\":1}");
  EXPECT_EQ(f.fetcher.calls, 1) << "went upstream although another instance had just fetched";
}

TEST(SourcesSharedRefresh, StaleReadsLeaveTheFetchToTheInstanceHoldingTheLock) {
  SharedFixture f;
  ASSERT_EQ(f.get().kind, LookupKind::stored);
  f.clock.advance(72s);
  f.store.held_by_other = true; // another instance is fetching right now

  for (int i = 0; i < 50; ++i) {
    const auto lookup = f.get();
    EXPECT_EQ(lookup.kind, LookupKind::stale);
    EXPECT_EQ(*lookup.entry->body, "{\"v\":1}");
    run_ready(f.ctx);
  }
  EXPECT_EQ(f.fetcher.calls, 1);
  // One attempt at the lock, not one per stale read while the peer fetches.
  EXPECT_EQ(f.store.lock_attempts, 1);

  // The peer's result arrives (its event): adopted without an upstream call.
  f.peer_fetched("{\"peer\":2}");
  f.service.adopt_remote("weather", "\"peer\"");
  ASSERT_TRUE(run_until(f.ctx, [&] { return f.get().kind == LookupKind::hit; }));
  EXPECT_EQ(*f.get().entry->body, "{\"peer\":2}");
  EXPECT_EQ(f.fetcher.calls, 1);
}

TEST(SourcesSharedRefresh, StaleReadsFetchThemselvesOnceThePeersLockHasExpired) {
  SharedFixture f;
  ASSERT_EQ(f.get().kind, LookupKind::stored);
  f.clock.advance(72s);
  f.store.held_by_other = true;
  f.get();
  run_ready(f.ctx);
  ASSERT_EQ(f.store.lock_attempts, 1);

  // The peer died mid-fetch: its lock expires (the fetch budget, 50 ms here)
  // and the next stale read refreshes from the upstream.
  f.store.held_by_other = false;
  f.clock.advance(60ms);
  f.fetcher.fallback = FakeFetcher::ok("{\"v\":2}");
  f.get();
  ASSERT_TRUE(run_until(f.ctx, [&] { return f.get().kind == LookupKind::hit; }));
  EXPECT_EQ(*f.get().entry->body, "{\"v\":2}");
  EXPECT_EQ(f.fetcher.calls, 2);
  EXPECT_EQ(f.store.lock_attempts, 2);
  EXPECT_EQ(f.store.unlocks, 1);
  EXPECT_EQ(f.store.entries["weather"].body, "{\"v\":2}");
}

TEST(SourcesSharedRefresh, AMissReadsTheSharedCopyBeforeGoingUpstream) {
  SharedFixture f;
  f.peer_fetched("{\"peer\":3}");
  const auto lookup = f.get();
  ASSERT_TRUE(lookup.entry);
  EXPECT_EQ(*lookup.entry->body, "{\"peer\":3}");
  EXPECT_EQ(f.fetcher.calls, 0);
}

TEST(SourcesSharedRefresh, AnExplicitRefreshAlwaysAsksTheUpstream) {
  SharedFixture f;
  ASSERT_EQ(f.get().kind, LookupKind::stored);
  f.peer_fetched("{\"peer\":4}");
  f.store.held_by_other = true;
  f.fetcher.fallback = FakeFetcher::ok("{\"v\":5}");
  auto trigger = run_await(f.ctx, f.service.refresh("weather", 2000ms));
  ASSERT_TRUE(trigger && trigger->report);
  EXPECT_EQ(trigger->report->outcome, FetchOutcome::ok);
  EXPECT_EQ(f.fetcher.calls, 2);
  EXPECT_EQ(*f.get().entry->body, "{\"v\":5}");
}

} // namespace
} // namespace homectl::sources
