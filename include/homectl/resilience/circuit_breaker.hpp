#pragma once

#include "homectl/util/clock.hpp"

#include <chrono>
#include <functional>
#include <string_view>

namespace homectl::resilience {

// Per-source circuit breaker. closed → open after `failure_threshold`
// consecutive failures → half-open after an open period → one probe → closed on
// success, open again on failure. Each re-open lengthens the open period
// (base × n, capped at `max_open`), jittered by ±10%.
// Not thread-safe; owned by one strand.
class CircuitBreaker {
public:
  enum class State { closed = 0, half_open = 1, open = 2 };
  using time_point = util::Clock::time_point;
  using Duration = std::chrono::milliseconds;
  // Returns a uniform number in [0, 1); injected so tests are deterministic.
  using Random = std::function<double()>;

  CircuitBreaker(int failure_threshold, Duration base_open, Duration max_open, Random random);

  // May a request be sent now? In open state, returns true once the open period
  // has passed (moving to half-open) and then false for every other caller until
  // the probe reports back.
  bool allow(time_point now);

  void on_success();
  void on_failure(time_point now);

  // The state as of `now` (an elapsed open period reads as half-open).
  State state(time_point now) const;
  // When the open period ends (meaningful while open).
  time_point open_until() const { return m_open_until; }
  // Time left until a probe is allowed (zero unless open).
  Duration retry_after(time_point now) const;
  int consecutive_failures() const { return m_failures; }

private:
  void open(time_point now);

  int m_threshold;
  Duration m_base_open;
  Duration m_max_open;
  Random m_random;
  State m_state = State::closed;
  int m_failures = 0;
  int m_reopens = 0; // consecutive openings without a success in between
  bool m_probe_in_flight = false;
  time_point m_open_until{};
};

std::string_view to_string(CircuitBreaker::State state);

} // namespace homectl::resilience
