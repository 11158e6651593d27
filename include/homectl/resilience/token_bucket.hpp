#pragma once

#include "homectl/util/clock.hpp"

#include <chrono>

namespace homectl::resilience {

// A token bucket: holds up to `capacity` tokens, refilled continuously at
// `rate_per_second`. Not thread-safe; owned by one strand.
class TokenBucket {
public:
  using time_point = util::Clock::time_point;

  TokenBucket(double rate_per_second, double capacity, time_point now);

  // Takes one token if available.
  bool try_take(time_point now);

  // Time until one token is available (zero when one is available now).
  std::chrono::milliseconds wait_time(time_point now);

  // Tokens available now, after refill.
  double available(time_point now);

  // Time until the bucket is full again (for the RateLimit header's reset).
  std::chrono::milliseconds time_to_full(time_point now);

  double rate_per_second() const { return m_rate; }
  double capacity() const { return m_capacity; }

private:
  void refill(time_point now);

  double m_rate;
  double m_capacity;
  double m_tokens;
  time_point m_last;
};

} // namespace homectl::resilience
