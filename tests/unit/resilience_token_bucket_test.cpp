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

TEST(TokenBucket, ASlowRateAccumulatesFractions) {
  util::ManualClock clock;
  TokenBucket bucket(0.5, 1.0, clock.now()); // one request per 2 s
  ASSERT_TRUE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.wait_time(clock.now()), 2000ms);
  clock.advance(1s);
  EXPECT_DOUBLE_EQ(bucket.available(clock.now()), 0.5);
  EXPECT_FALSE(bucket.try_take(clock.now())) << "half a token is not a token";
  EXPECT_EQ(bucket.wait_time(clock.now()), 1000ms);
  clock.advance(1s);
  EXPECT_TRUE(bucket.try_take(clock.now()));
}

TEST(TokenBucket, WaitTimeRoundsUpSoARetryIsNotEarly) {
  util::ManualClock clock;
  TokenBucket bucket(3.0, 1.0, clock.now());
  ASSERT_TRUE(bucket.try_take(clock.now()));
  const auto wait = bucket.wait_time(clock.now());
  EXPECT_EQ(wait, 334ms);
  clock.advance(wait);
  EXPECT_TRUE(bucket.try_take(clock.now()));
}

TEST(TokenBucket, AClockGoingBackwardsAddsNoTokens) {
  util::ManualClock clock;
  clock.advance(10s);
  TokenBucket bucket(1.0, 2.0, clock.now());
  ASSERT_TRUE(bucket.try_take(clock.now()));
  ASSERT_TRUE(bucket.try_take(clock.now()));
  const auto earlier = clock.now() - 5s;
  EXPECT_FALSE(bucket.try_take(earlier));
  EXPECT_DOUBLE_EQ(bucket.available(earlier), 0.0);
  clock.advance(1s);
  EXPECT_TRUE(bucket.try_take(clock.now())) << "refills from the latest time seen";
}

TEST(TokenBucket, CapacityIsAtLeastOneToken) {
  util::ManualClock clock;
  TokenBucket bucket(1.0, 0.2, clock.now());
  EXPECT_DOUBLE_EQ(bucket.capacity(), 1.0);
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_FALSE(bucket.try_take(clock.now()));
}

TEST(TokenBucket, AZeroRateNeverRefillsAndIsFullWhenUntouched) {
  util::ManualClock clock;
  TokenBucket bucket(0.0, 2.0, clock.now());
  EXPECT_EQ(bucket.time_to_full(clock.now()), 0ms) << "a full bucket needs no time";
  ASSERT_TRUE(bucket.try_take(clock.now()));
  ASSERT_TRUE(bucket.try_take(clock.now()));
  clock.advance(24h);
  EXPECT_FALSE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.wait_time(clock.now()), std::chrono::milliseconds::max());
  EXPECT_EQ(bucket.time_to_full(clock.now()), std::chrono::milliseconds::max());
}

} // namespace
} // namespace homectl::resilience
