#include "homectl/redis/backoff.hpp"

#include <algorithm>
#include <memory>
#include <random>

namespace homectl::redis {

Backoff::Backoff(Duration base, Duration cap, Random random)
    : m_base(std::max(base, Duration{1})), m_cap(std::max(cap, m_base)),
      m_random(std::move(random)) {
  if (!m_random) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    m_random = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
}

Backoff::Duration Backoff::next() {
  // base * 2^n without overflow: stop doubling once the cap is reached.
  auto ceiling = m_base;
  for (int i = 0; i < m_attempt && ceiling < m_cap; ++i) {
    ceiling *= 2;
  }
  ceiling = std::min(ceiling, m_cap);
  ++m_attempt;
  double r = std::clamp(m_random(), 0.0, 1.0);
  return Duration{static_cast<Duration::rep>(r * static_cast<double>(ceiling.count()))};
}

} // namespace homectl::redis
