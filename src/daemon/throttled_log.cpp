#include "homectl/daemon/throttled_log.hpp"

namespace homectl::daemon {

std::optional<long long> ThrottledLog::admit(Clock::time_point now) {
  std::lock_guard lock(m_mutex);
  if (m_last && now - *m_last < m_interval) {
    ++m_suppressed;
    return std::nullopt;
  }
  m_last = now;
  const long long left_out = m_suppressed;
  m_suppressed = 0;
  return left_out;
}

} // namespace homectl::daemon
