#include "homectl/util/clock.hpp"
#include "homectl/watchdog/watchdog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

using namespace homectl;
using namespace homectl::watchdog;
using namespace std::chrono_literals;

namespace {

// A notifier that answers from a script and records what it was sent.
class ScriptedNotifier final : public Notifier {
public:
  explicit ScriptedNotifier(std::string key) : m_key(std::move(key)) {}
  std::string key() const override { return m_key; }
  DeliveryResult deliver(const Notification& n, const std::string& /*url*/) override {
    calls.push_back(n);
    if (script.empty()) {
      return {true, "ok", std::nullopt};
    }
    auto r = script.front();
    script.pop_front();
    return r;
  }
  std::string m_key;
  std::deque<DeliveryResult> script;
  std::vector<Notification> calls;
};

DeliveryResult fail(const char* detail = "HTTP 500") {
  return {false, detail, std::nullopt};
}

class DeliveryQueue : public ::testing::Test {
protected:
  void SetUp() override {
    auto a = std::make_unique<ScriptedNotifier>("webhook a");
    auto b = std::make_unique<ScriptedNotifier>("ntfy b");
    first = a.get();
    second = b.get();
    std::vector<std::unique_ptr<Notifier>> list;
    list.push_back(std::move(a));
    list.push_back(std::move(b));
    WatchdogSettings settings;
    settings.url = "http://127.0.0.1:8080";
    settings.thresholds = {1, 1, std::nullopt};
    watchdog = std::make_unique<Watchdog>(std::move(settings), std::move(list), clock,
                                          [this](std::chrono::milliseconds d) {
                                            sleeps.push_back(d);
                                            clock.advance(d);
                                          });
    watchdog->on_change([this](const WatchdogFile&) { ++persisted; });
    // The first run records "up" silently.
    auto r = watchdog->apply(file, {DaemonState::up, "ready", ""});
    EXPECT_FALSE(r.notification);
    EXPECT_TRUE(first->calls.empty());
  }
  RunReport observe(DaemonState s) {
    auto r = watchdog->apply(file, {s, std::string(to_string(s)), ""});
    clock.advance(60s);
    return r;
  }

  util::ManualClock clock;
  WatchdogFile file;
  std::unique_ptr<Watchdog> watchdog;
  ScriptedNotifier* first = nullptr;
  ScriptedNotifier* second = nullptr;
  std::vector<std::chrono::milliseconds> sleeps;
  int persisted = 0;
};

} // namespace

TEST_F(DeliveryQueue, DeliversEachNotificationOnceToEveryNotifier) {
  auto r = observe(DaemonState::down);
  ASSERT_TRUE(r.notification);
  EXPECT_EQ(first->calls.size(), 1U);
  EXPECT_EQ(second->calls.size(), 1U);
  EXPECT_TRUE(file.queue.empty());
  EXPECT_FALSE(r.delivery_failed());
  observe(DaemonState::down);
  EXPECT_EQ(first->calls.size(), 1U);
  EXPECT_GE(persisted, 3);
}

TEST_F(DeliveryQueue, OneFailingNotifierDoesNotStopTheOthers) {
  first->script = {fail(), fail(), fail()};
  auto r = observe(DaemonState::down);
  EXPECT_TRUE(r.delivery_failed());
  EXPECT_EQ(first->calls.size(), 3U); // attempts_per_run
  EXPECT_EQ(second->calls.size(), 1U);
  ASSERT_EQ(file.queue.size(), 1U);
  EXPECT_EQ(file.queue[0].notifier, "webhook a");
  EXPECT_EQ(file.queue[0].last_error, "HTTP 500");
  // Backoff between attempts inside the run: 500 ms, then 1 s.
  EXPECT_EQ(sleeps, (std::vector<std::chrono::milliseconds>{500ms, 1000ms}));
}

TEST_F(DeliveryQueue, AFailedDeliveryIsRetriedOnALaterRunAndNotRepeated) {
  first->script = {fail(), fail(), fail()};
  observe(DaemonState::down);
  ASSERT_EQ(file.queue.size(), 1U);
  // The next run retries and succeeds.
  auto r = observe(DaemonState::down);
  EXPECT_FALSE(r.notification);
  EXPECT_EQ(first->calls.size(), 4U);
  EXPECT_EQ(first->calls.back().state, DaemonState::down);
  EXPECT_TRUE(file.queue.empty());
  EXPECT_EQ(second->calls.size(), 1U);
  observe(DaemonState::down);
  EXPECT_EQ(first->calls.size(), 4U);
}

TEST_F(DeliveryQueue, HonoursRetryAfterInsideTheRunWhenShort) {
  first->script = {DeliveryResult{false, "HTTP 429", 2s}};
  observe(DaemonState::down);
  EXPECT_EQ(first->calls.size(), 2U);
  EXPECT_EQ(sleeps, (std::vector<std::chrono::milliseconds>{2000ms}));
  EXPECT_TRUE(file.queue.empty());
}

TEST_F(DeliveryQueue, DefersALongRetryAfterToALaterRun) {
  first->script = {DeliveryResult{false, "HTTP 429", 300s}};
  const auto at = clock.wall();
  observe(DaemonState::down);
  EXPECT_EQ(first->calls.size(), 1U);
  ASSERT_EQ(file.queue.size(), 1U);
  EXPECT_EQ(file.queue[0].next_attempt, at + 300s);
  observe(DaemonState::down); // 60 s later: not yet due
  EXPECT_EQ(first->calls.size(), 1U);
  for (int i = 0; i < 4; ++i) {
    observe(DaemonState::down);
  }
  EXPECT_EQ(first->calls.size(), 2U);
  EXPECT_TRUE(file.queue.empty());
}

TEST_F(DeliveryQueue, DropsDeliveriesForNotifiersNoLongerConfigured) {
  PendingDelivery orphan;
  orphan.id = 99;
  orphan.notifier = "command /gone";
  orphan.created = clock.wall();
  orphan.next_attempt = clock.wall();
  file.queue.push_back(orphan);
  auto r = observe(DaemonState::up);
  ASSERT_EQ(r.deliveries.size(), 1U);
  EXPECT_TRUE(r.deliveries[0].dropped);
  EXPECT_EQ(r.deliveries[0].result.detail, "notifier no longer configured");
  EXPECT_TRUE(r.deliveries[0].unconfigured);
  EXPECT_FALSE(r.delivery_failed()) << "a notifier taken out of the config is not a failure";
  EXPECT_TRUE(file.queue.empty());
}

TEST_F(DeliveryQueue, KeepsAtMost32DeliveriesQueuedDroppingTheOldest) {
  first->script.assign(5000, fail());
  RunReport last;
  for (int i = 0; i < 40; ++i) {
    last = observe(i % 2 == 0 ? DaemonState::down : DaemonState::up);
    ASSERT_LE(file.queue.size(), 32U);
  }
  // 31 owed to the failing notifier; the 32nd was the other's, delivered.
  EXPECT_EQ(file.queue.size(), 31U);
  EXPECT_TRUE(last.delivery_failed());
  const auto dropped =
      std::count_if(last.deliveries.begin(), last.deliveries.end(), [](const DeliveryReport& d) {
        return d.dropped && d.result.detail == "more than 32 notifications queued; the oldest is "
                                               "dropped";
      });
  EXPECT_EQ(dropped, 1);
  for (std::size_t i = 1; i < file.queue.size(); ++i) {
    EXPECT_LT(file.queue[i - 1].id, file.queue[i].id);
  }
}

TEST_F(DeliveryQueue, TestNotifyReachesEveryNotifierWithoutTheQueue) {
  second->script = {fail("HTTP 401")};
  auto reports = watchdog->test_notify();
  ASSERT_EQ(reports.size(), 2U);
  EXPECT_TRUE(reports[0].result.ok);
  EXPECT_FALSE(reports[1].result.ok);
  EXPECT_EQ(reports[1].result.detail, "HTTP 401");
  EXPECT_TRUE(first->calls.at(0).test);
  EXPECT_TRUE(file.queue.empty());
}
