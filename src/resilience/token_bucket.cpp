#include "homectl/resilience/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace homectl::resilience {

TokenBucket::TokenBucket(double rate_per_second, double capacity, time_point now)
    : m_rate(rate_per_second), m_capacity(std::max(capacity, 1.0)), m_tokens(m_capacity),
      m_last(now) {}

void TokenBucket::refill(time_point now) {
  if (now <= m_last) {
    return;
  }
  const double elapsed = std::chrono::duration<double>(now - m_last).count();
  m_tokens = std::min(m_capacity, m_tokens + elapsed * m_rate);
  m_last = now;
}

bool TokenBucket::try_take(time_point now) {
  refill(now);
  if (m_tokens >= 1.0) {
    m_tokens -= 1.0;
    return true;
  }
  return false;
}

double TokenBucket::available(time_point now) {
  refill(now);
  return m_tokens;
}

namespace {
std::chrono::milliseconds seconds_to_ms_ceil(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000.0)));
}
} // namespace

std::chrono::milliseconds TokenBucket::wait_time(time_point now) {
  refill(now);
  if (m_tokens >= 1.0) {
    return std::chrono::milliseconds(0);
  }
  if (m_rate <= 0.0) {
    return std::chrono::milliseconds::max();
  }
  return seconds_to_ms_ceil((1.0 - m_tokens) / m_rate);
}

std::chrono::milliseconds TokenBucket::time_to_full(time_point now) {
  refill(now);
  if (m_tokens >= m_capacity) {
    return std::chrono::milliseconds(0);
  }
  if (m_rate <= 0.0) {
    return std::chrono::milliseconds::max();
  }
  return seconds_to_ms_ceil((m_capacity - m_tokens) / m_rate);
}

} // namespace homectl::resilience
