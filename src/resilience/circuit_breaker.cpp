#include "homectl/resilience/circuit_breaker.hpp"

#include <algorithm>
#include <utility>

namespace homectl::resilience {

CircuitBreaker::CircuitBreaker(int failure_threshold, Duration base_open, Duration max_open,
                               Random random)
    : m_threshold(std::max(failure_threshold, 1)), m_base_open(base_open),
      m_max_open(std::max(max_open, base_open)), m_random(std::move(random)) {}

bool CircuitBreaker::allow(time_point now) {
  switch (m_state) {
  case State::closed:
    return true;
  case State::open:
    if (now < m_open_until) {
      return false;
    }
    m_state = State::half_open;
    m_probe_in_flight = true;
    return true;
  case State::half_open:
    if (m_probe_in_flight) {
      return false;
    }
    m_probe_in_flight = true;
    return true;
  }
  return false;
}

void CircuitBreaker::on_success() {
  m_state = State::closed;
  m_failures = 0;
  m_reopens = 0;
  m_probe_in_flight = false;
}

void CircuitBreaker::on_failure(time_point now) {
  ++m_failures;
  m_probe_in_flight = false;
  if (m_state == State::half_open || (m_state == State::closed && m_failures >= m_threshold)) {
    open(now);
  }
}

void CircuitBreaker::open(time_point now) {
  ++m_reopens;
  // Grows linearly with each consecutive re-open, capped, then jittered ±10% so
  // breakers of many sources do not probe in lock-step.
  const auto grown = std::min(m_base_open * m_reopens, m_max_open);
  const double jitter = 0.9 + 0.2 * (m_random ? m_random() : 0.5);
  m_open_until =
      now + std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(
                static_cast<double>(grown.count()) * jitter));
  m_state = State::open;
}

CircuitBreaker::State CircuitBreaker::state(time_point now) const {
  if (m_state == State::open && now >= m_open_until) {
    return State::half_open;
  }
  return m_state;
}

CircuitBreaker::Duration CircuitBreaker::retry_after(time_point now) const {
  if (m_state != State::open || now >= m_open_until) {
    return Duration(0);
  }
  return std::chrono::duration_cast<Duration>(m_open_until - now);
}

std::string_view to_string(CircuitBreaker::State state) {
  switch (state) {
  case CircuitBreaker::State::closed:
    return "closed";
  case CircuitBreaker::State::half_open:
    return "half_open";
  case CircuitBreaker::State::open:
    return "open";
  }
  return "unknown";
}

} // namespace homectl::resilience
