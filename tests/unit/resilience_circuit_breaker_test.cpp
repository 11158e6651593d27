#include "homectl/resilience/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace homectl::resilience {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;

// No jitter: the random source sits in the middle of its range.
CircuitBreaker steady(int threshold, CircuitBreaker::Duration base, CircuitBreaker::Duration max) {
  return CircuitBreaker(threshold, base, max, [] { return 0.5; });
}

void fail(CircuitBreaker& breaker, util::ManualClock& clock, int times) {
  for (int i = 0; i < times; ++i) {
    ASSERT_TRUE(breaker.allow(clock.now()));
    breaker.on_failure(clock.now());
  }
}

TEST(CircuitBreaker, OpensAfterThresholdAndProbesOnce) {
  util::ManualClock clock;
  auto breaker = steady(3, 1000ms, 10'000ms);
  fail(breaker, clock, 2);
  EXPECT_EQ(breaker.state(clock.now()), State::closed);
  breaker.on_failure(clock.now());
  EXPECT_EQ(breaker.state(clock.now()), State::open);
  EXPECT_FALSE(breaker.allow(clock.now()));
  EXPECT_EQ(breaker.retry_after(clock.now()), 1000ms);

  clock.advance(1000ms);
  EXPECT_EQ(breaker.state(clock.now()), State::half_open);
  EXPECT_TRUE(breaker.allow(clock.now())) << "one probe";
  EXPECT_FALSE(breaker.allow(clock.now())) << "only one probe";
  breaker.on_failure(clock.now());
  EXPECT_EQ(breaker.state(clock.now()), State::open);
  EXPECT_EQ(breaker.retry_after(clock.now()), 2000ms) << "second opening lasts base x 2";

  clock.advance(2000ms);
  EXPECT_TRUE(breaker.allow(clock.now()));
  breaker.on_success();
  EXPECT_EQ(breaker.state(clock.now()), State::closed);
  EXPECT_EQ(breaker.consecutive_failures(), 0);
}

TEST(CircuitBreaker, OpenPeriodIsCappedAndJittered) {
  util::ManualClock clock;
  double r = 0.0;
  CircuitBreaker breaker(1, 1000ms, 2500ms, [&r] { return r; });
  breaker.on_failure(clock.now());
  EXPECT_EQ(breaker.retry_after(clock.now()), 900ms) << "-10% jitter";
  for (int i = 0; i < 5; ++i) {
    clock.advance(10s);
    ASSERT_TRUE(breaker.allow(clock.now()));
    r = 0.999;
    breaker.on_failure(clock.now());
  }
  EXPECT_LE(breaker.retry_after(clock.now()), 2750ms);
  EXPECT_GE(breaker.retry_after(clock.now()), 2740ms);
}

TEST(CircuitBreaker, OnlyConsecutiveFailuresCount) {
  util::ManualClock clock;
  auto breaker = steady(3, 1000ms, 10'000ms);
  fail(breaker, clock, 2);
  breaker.on_success();
  EXPECT_EQ(breaker.consecutive_failures(), 0);
  fail(breaker, clock, 2);
  EXPECT_EQ(breaker.state(clock.now()), State::closed);
  fail(breaker, clock, 1);
  EXPECT_EQ(breaker.state(clock.now()), State::open);
}

TEST(CircuitBreaker, ASuccessfulProbeResetsTheGrowingOpenPeriod) {
  util::ManualClock clock;
  auto breaker = steady(1, 1000ms, 10'000ms);
  fail(breaker, clock, 1);
  clock.advance(1000ms);
  fail(breaker, clock, 1); // the probe fails: 2 s
  clock.advance(2000ms);
  fail(breaker, clock, 1); // again: 3 s
  EXPECT_EQ(breaker.retry_after(clock.now()), 3000ms);
  clock.advance(3000ms);
  ASSERT_TRUE(breaker.allow(clock.now()));
  breaker.on_success();
  fail(breaker, clock, 1);
  EXPECT_EQ(breaker.retry_after(clock.now()), 1000ms) << "back to the base period";
}

TEST(CircuitBreaker, TheOpenPeriodEndsWithoutAnyCaller) {
  util::ManualClock clock;
  auto breaker = steady(1, 1000ms, 10'000ms);
  fail(breaker, clock, 1);
  EXPECT_EQ(breaker.open_until(), clock.now() + 1000ms);
  clock.advance(999ms);
  EXPECT_EQ(breaker.state(clock.now()), State::open);
  EXPECT_EQ(breaker.retry_after(clock.now()), 1ms);
  clock.advance(1ms);
  EXPECT_EQ(breaker.state(clock.now()), State::half_open) << "reads half-open, no allow() needed";
  EXPECT_EQ(breaker.retry_after(clock.now()), 0ms);
}

TEST(CircuitBreaker, RetryAfterIsZeroUnlessOpen) {
  util::ManualClock clock;
  auto breaker = steady(2, 1000ms, 10'000ms);
  EXPECT_EQ(breaker.retry_after(clock.now()), 0ms);
  fail(breaker, clock, 1);
  EXPECT_EQ(breaker.retry_after(clock.now()), 0ms) << "closed, one failure short";
}

TEST(CircuitBreaker, OutOfRangeSettingsAreClamped) {
  util::ManualClock clock;
  auto breaker = steady(0, 2000ms, 500ms); // threshold 0 → 1; max below base → base
  fail(breaker, clock, 1);
  EXPECT_EQ(breaker.state(clock.now()), State::open);
  EXPECT_EQ(breaker.retry_after(clock.now()), 2000ms);
  clock.advance(2000ms);
  fail(breaker, clock, 1);
  EXPECT_EQ(breaker.retry_after(clock.now()), 2000ms) << "capped at the base period";
}

TEST(CircuitBreaker, StatesHaveStableNames) {
  EXPECT_EQ(to_string(State::closed), "closed");
  EXPECT_EQ(to_string(State::half_open), "half_open");
  EXPECT_EQ(to_string(State::open), "open");
}

} // namespace
} // namespace homectl::resilience
