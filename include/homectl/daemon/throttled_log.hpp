#pragma once

#include <chrono>
#include <mutex>
#include <optional>

namespace homectl::daemon {

// Decides when a repeated event (a slow client dropped, a failed accept) is
// worth a log line: the first one at once, then at most one per interval. The
// events left out in between are counted and reported with the next line, so
// a flood of misbehaving clients cannot flood the log. Thread-safe.
class ThrottledLog {
public:
  using Clock = std::chrono::steady_clock;

  explicit ThrottledLog(Clock::duration interval) : m_interval(interval) {}

  // Records one event at `now`. Returns how many events were left out since
  // the previous line when this one should be logged, nullopt when it should not.
  std::optional<long long> admit(Clock::time_point now);

private:
  std::mutex m_mutex;
  Clock::duration m_interval;
  std::optional<Clock::time_point> m_last;
  long long m_suppressed = 0;
};

} // namespace homectl::daemon
