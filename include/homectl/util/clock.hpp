#pragma once

#include <chrono>

namespace homectl::util {

// Time source behind an interface so tests can drive time instead of sleeping.
// `now()` is monotonic (for deadlines and ages); `wall()` is calendar time
// (for timestamps shown to people and stored in Redis).
class Clock {
public:
  using duration = std::chrono::steady_clock::duration;
  using time_point = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual time_point now() const = 0;
  virtual std::chrono::system_clock::time_point wall() const = 0;
};

// The real clocks.
class SystemClock final : public Clock {
public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall() const override {
    return std::chrono::system_clock::now();
  }
  // A process-wide instance for code that needs no fake.
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

// A clock tests move by hand.
class ManualClock final : public Clock {
public:
  time_point now() const override { return m_now; }
  std::chrono::system_clock::time_point wall() const override { return m_wall; }
  void advance(duration d) {
    m_now += d;
    m_wall += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }

private:
  time_point m_now{std::chrono::hours(1000)};
  std::chrono::system_clock::time_point m_wall{std::chrono::seconds(1'800'000'000)};
};

} // namespace homectl::util
