#pragma once

#include <chrono>
#include <functional>

namespace homectl::redis {

// Reconnect delays with "full jitter": the n-th delay is uniform in
// [0, min(cap, base * 2^n)]. Randomness is injectable so tests are exact.
class Backoff {
public:
  using Duration = std::chrono::milliseconds;
  // Returns a number uniformly distributed in [0, 1).
  using Random = std::function<double()>;

  // An empty `random` uses a per-instance generator seeded from std::random_device.
  Backoff(Duration base, Duration cap, Random random = {});

  // The delay before the next attempt; advances the attempt counter.
  Duration next();

  // Starts over after a success.
  void reset() { m_attempt = 0; }

  // Delays handed out since the last reset.
  int attempt() const { return m_attempt; }

private:
  Duration m_base;
  Duration m_cap;
  Random m_random;
  int m_attempt = 0;
};

} // namespace homectl::redis
