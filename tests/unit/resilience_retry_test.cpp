#include "homectl/resilience/retry.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace homectl::resilience {
namespace {

using namespace std::chrono_literals;

UniformRandom fixed(double u) {
  return [u] { return u; };
}

// 2015-10-21T07:28:00Z
const std::chrono::system_clock::time_point k_now =
    std::chrono::sys_days{std::chrono::year{2015} / 10 / 21} + 7h + 28min;

TEST(FullJitterBackoff, IsUniformBelowTheExponentialCeiling) {
  // ceiling = min(cap, base * 2^n)
  EXPECT_EQ(full_jitter_backoff(0, 200ms, 5000ms, fixed(0.5)), 100ms);
  EXPECT_EQ(full_jitter_backoff(1, 200ms, 5000ms, fixed(0.5)), 200ms);
  EXPECT_EQ(full_jitter_backoff(2, 200ms, 5000ms, fixed(0.5)), 400ms);
  EXPECT_EQ(full_jitter_backoff(3, 200ms, 5000ms, fixed(0.25)), 400ms);
  EXPECT_EQ(full_jitter_backoff(2, 200ms, 5000ms, fixed(0.0)), 0ms);
  EXPECT_EQ(full_jitter_backoff(2, 200ms, 5000ms, fixed(0.999)), 799ms);
}

TEST(FullJitterBackoff, SaturatesAtTheCap) {
  EXPECT_EQ(full_jitter_backoff(5, 200ms, 5000ms, fixed(0.5)), 2500ms); // 6400 → cap 5000
  EXPECT_EQ(full_jitter_backoff(1000, 200ms, 5000ms, fixed(0.5)), 2500ms) << "no overflow";
  EXPECT_EQ(full_jitter_backoff(3, 0ms, 5000ms, fixed(0.5)), 0ms);
}

TEST(FullJitterBackoff, UsesTheInjectedRandomnessForEachDraw) {
  std::vector<double> draws{0.1, 0.9, 0.5};
  std::size_t i = 0;
  UniformRandom seq = [&] { return draws[i++]; };
  EXPECT_EQ(full_jitter_backoff(0, 1000ms, 60s, seq), 100ms);
  EXPECT_EQ(full_jitter_backoff(1, 1000ms, 60s, seq), 1800ms);
  EXPECT_EQ(full_jitter_backoff(2, 1000ms, 60s, seq), 2000ms);
}

TEST(RetryPolicy, RetriesTransientFailuresOnly) {
  EXPECT_TRUE(is_retryable(AttemptFailure::none, 500));
  EXPECT_TRUE(is_retryable(AttemptFailure::none, 503));
  EXPECT_TRUE(is_retryable(AttemptFailure::none, 429));
  EXPECT_FALSE(is_retryable(AttemptFailure::none, 404));
  EXPECT_FALSE(is_retryable(AttemptFailure::none, 400));
  EXPECT_FALSE(is_retryable(AttemptFailure::none, 301));
  EXPECT_TRUE(is_retryable(AttemptFailure::connect, 0));
  EXPECT_TRUE(is_retryable(AttemptFailure::timeout, 0));
  EXPECT_TRUE(is_retryable(AttemptFailure::protocol, 0));
  EXPECT_FALSE(is_retryable(AttemptFailure::tls, 0));
  EXPECT_FALSE(is_retryable(AttemptFailure::too_large, 0));
  EXPECT_FALSE(is_retryable(AttemptFailure::permanent, 0));
}

TEST(RetryPolicy, NextDelayStopsAtMaxRetriesAndDeadline) {
  RetryState s;
  s.max_retries = 2;
  s.failure = AttemptFailure::none;
  s.status = 503;
  s.remaining = 10s;
  EXPECT_EQ(next_retry_delay(s, 200ms, 5s, fixed(0.5)), 100ms);
  s.retries_done = 1;
  EXPECT_EQ(next_retry_delay(s, 200ms, 5s, fixed(0.5)), 200ms);
  s.retries_done = 2;
  EXPECT_EQ(next_retry_delay(s, 200ms, 5s, fixed(0.5)), std::nullopt) << "retries used up";
  s.retries_done = 0;
  s.remaining = 100ms;
  EXPECT_EQ(next_retry_delay(s, 200ms, 5s, fixed(0.5)), std::nullopt) << "no time left";
  s.remaining = 10s;
  s.status = 404;
  EXPECT_EQ(next_retry_delay(s, 200ms, 5s, fixed(0.5)), std::nullopt) << "4xx is final";
}

TEST(RetryPolicy, RetryAfterRaisesTheDelayButNeverPastTheDeadline) {
  RetryState s;
  s.max_retries = 3;
  s.status = 429;
  s.retry_after = 2s;
  s.remaining = 10s;
  EXPECT_EQ(next_retry_delay(s, 200ms, 5s, fixed(0.5)), 2000ms);
  s.retry_after = 0s;
  EXPECT_EQ(next_retry_delay(s, 200ms, 5s, fixed(0.5)), 100ms);
  s.retry_after = 30s;
  EXPECT_EQ(next_retry_delay(s, 200ms, 5s, fixed(0.5)), std::nullopt);
}

TEST(RetryAfter, ParsesDeltaSeconds) {
  EXPECT_EQ(parse_retry_after("120", k_now), 120s);
  EXPECT_EQ(parse_retry_after(" 0 ", k_now), 0s);
  EXPECT_EQ(parse_retry_after("-1", k_now), std::nullopt);
  EXPECT_EQ(parse_retry_after("1.5", k_now), std::nullopt);
  EXPECT_EQ(parse_retry_after("", k_now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", k_now), std::nullopt);
}

TEST(RetryAfter, ParsesTheThreeHttpDateForms) {
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", k_now), 30s);
  EXPECT_EQ(parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", k_now), 60s);
  EXPECT_EQ(parse_retry_after("Wed Oct 21 07:30:00 2015", k_now), 120s);
  EXPECT_EQ(parse_retry_after("Wed Oct  1 07:30:00 2015", k_now), 0s) << "past date";
  EXPECT_EQ(parse_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", k_now), 0s) << "past date";
}

TEST(RetryAfter, RoundsPartialSecondsUp) {
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", k_now + 500ms), 30s);
}

TEST(RetryAfter, RejectsMalformedDates) {
  EXPECT_EQ(parse_retry_after("Wed, 32 Oct 2015 07:28:30 GMT", k_now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Wed, 31 Foo 2015 07:28:30 GMT", k_now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 25:28:30 GMT", k_now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 CET", k_now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Thu, 31 Feb 2015 07:28:30 GMT", k_now), std::nullopt);
}

} // namespace
} // namespace homectl::resilience
