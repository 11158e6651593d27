#include "homectl/sources/event_bus.hpp"
#include "homectl/sources/format.hpp"
#include "homectl/sources/history.hpp"
#include "homectl/sources/schedule.hpp"

#include <gtest/gtest.h>

#include <random>

namespace homectl::sources {
namespace {

using namespace std::chrono_literals;

TEST(SourcesSchedule, JitterStaysWithinTenPercent) {
  EXPECT_EQ(jittered_interval(600s, 0.0), 540s);
  EXPECT_EQ(jittered_interval(600s, 0.5), 600s);
  EXPECT_EQ(jittered_interval(600s, 0.999999), std::chrono::milliseconds(659'999));
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Duration lo = Duration::max();
  Duration hi = Duration::min();
  for (int i = 0; i < 10'000; ++i) {
    const auto d = jittered_interval(std::chrono::minutes(15), u(rng));
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GE(lo, std::chrono::seconds(810));
  EXPECT_LT(hi, std::chrono::seconds(990));
  EXPECT_LT(lo, std::chrono::seconds(820)); // the spread is really used
  EXPECT_GT(hi, std::chrono::seconds(980));
}

TEST(SourcesSchedule, StartupSpreadsSourcesOverTheWindow) {
  const Duration spread = 3s;
  std::vector<Duration> delays;
  for (std::size_t i = 0; i < 6; ++i) {
    delays.push_back(startup_delay(i, 6, spread, 0.5));
  }
  EXPECT_EQ(delays, (std::vector<Duration>{250ms, 750ms, 1250ms, 1750ms, 2250ms, 2750ms}));
  EXPECT_EQ(startup_delay(0, 6, spread, 0.0), 0ms);
  EXPECT_EQ(startup_delay(5, 6, spread, 1.0), 2999ms);
  EXPECT_EQ(startup_delay(0, 0, spread, 0.5), 0ms);
}

TEST(SourcesHistory, RingIsBounded) {
  History history;
  for (int i = 0; i < 100; ++i) {
    history.push({{}, 1.0, i, FetchOutcome::ok, ""});
  }
  const auto entries = history.entries();
  ASSERT_EQ(entries.size(), History::k_capacity);
  EXPECT_EQ(entries.front().status, 40);
  EXPECT_EQ(entries.back().status, 99);
  EXPECT_EQ(to_string(FetchOutcome::rate_limited), "rate_limited");
}

TEST(SourcesEvents, JsonShape) {
  Event updated{"source.updated", "weather", "\"abc\"", "2026-11-26T10:00:00.000Z", ""};
  EXPECT_EQ(updated.to_json(), R"({"v":1,"type":"source.updated","source":"weather",)"
                               R"("etag":"\"abc\"","at":"2026-11-26T10:00:00.000Z"})");
  Event breaker{"breaker.changed", "plug", "", "2026-11-26T10:00:00.000Z", "open"};
  EXPECT_EQ(breaker.to_json(), R"({"v":1,"type":"breaker.changed","source":"plug",)"
                               R"("etag":null,"at":"2026-11-26T10:00:00.000Z","state":"open"})");
}

TEST(SourcesEvents, BusDeliversInOrderAndUnsubscribes) {
  EventBus bus;
  std::vector<std::string> seen;
  const auto a = bus.subscribe([&](const Event& e) { seen.push_back("a:" + e.source); });
  EventBus::Id b = 0;
  b = bus.subscribe([&](const Event& e) {
    seen.push_back("b:" + e.source);
    bus.unsubscribe(b); // a callback may drop itself
  });
  bus.publish({"source.updated", "x", "", "", ""});
  bus.publish({"source.updated", "y", "", "", ""});
  EXPECT_EQ(seen, (std::vector<std::string>{"a:x", "b:x", "a:y"}));
  EXPECT_EQ(bus.subscribers(), 1u);
  bus.unsubscribe(a);
  EXPECT_EQ(bus.subscribers(), 0u);
}

TEST(SourcesFormat, TimesUrlsAndWaits) {
  const auto at = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)) +
                  std::chrono::milliseconds(123);
  EXPECT_EQ(format_rfc3339(at), "2027-01-15T08:00:00.123Z");
  EXPECT_EQ(format_http_date(at), "Fri, 15 Jan 2027 08:00:00 GMT");
  EXPECT_EQ(parse_wait("5s"), 5s);
  EXPECT_EQ(parse_wait("5"), 5s);
  EXPECT_EQ(parse_wait("250ms"), 250ms);
  EXPECT_EQ(parse_wait("1m"), 60s);
  EXPECT_FALSE(parse_wait("0s"));
  EXPECT_FALSE(parse_wait("-1s"));
  EXPECT_FALSE(parse_wait("5h"));
  EXPECT_FALSE(parse_wait("abc"));
  EXPECT_FALSE(parse_wait("2h"));
}

} // namespace
} // namespace homectl::sources
