#include "homectl/resilience/circuit_breaker.hpp"
#include "homectl/resilience/token_bucket.hpp"

#include <gtest/gtest.h>

namespace homectl::resilience {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, StartsFullAndRefillsAtTheRate) {
  util::ManualClock clock;
  TokenBucket bucket(2.0, 3.0, clock.now()); // 2/s, burst 3
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_FALSE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.wait_time(clock.now()), 500ms);
  clock.advance(499ms);
  EXPECT_FALSE(bucket.try_take(clock.now()));
  clock.advance(1ms);
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.time_to_full(clock.now()), 1500ms);
  clock.advance(10s);
  EXPECT_DOUBLE_EQ(bucket.available(clock.now()), 3.0) << "never above capacity";
}

TEST(CircuitBreaker, OpensAfterThresholdAndProbesOnce) {
  util::ManualClock clock;
  CircuitBreaker breaker(3, 1000ms, 10'000ms, [] { return 0.5; }); // no jitter at 0.5
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(breaker.allow(clock.now()));
    breaker.on_failure(clock.now());
  }
  EXPECT_EQ(breaker.state(clock.now()), CircuitBreaker::State::closed);
  breaker.on_failure(clock.now());
  EXPECT_EQ(breaker.state(clock.now()), CircuitBreaker::State::open);
  EXPECT_FALSE(breaker.allow(clock.now()));
  EXPECT_EQ(breaker.retry_after(clock.now()), 1000ms);

  clock.advance(1000ms);
  EXPECT_EQ(breaker.state(clock.now()), CircuitBreaker::State::half_open);
  EXPECT_TRUE(breaker.allow(clock.now())) << "one probe";
  EXPECT_FALSE(breaker.allow(clock.now())) << "only one probe";
  breaker.on_failure(clock.now());
  EXPECT_EQ(breaker.state(clock.now()), CircuitBreaker::State::open);
  EXPECT_EQ(breaker.retry_after(clock.now()), 2000ms) << "second opening lasts base x 2";

  clock.advance(2000ms);
  EXPECT_TRUE(breaker.allow(clock.now()));
  breaker.on_success();
  EXPECT_EQ(breaker.state(clock.now()), CircuitBreaker::State::closed);
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

} // namespace
} // namespace homectl::resilience
