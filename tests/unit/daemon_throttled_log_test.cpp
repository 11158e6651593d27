#include "homectl/daemon/throttled_log.hpp"

#include <gtest/gtest.h>

namespace homectl::daemon {
namespace {

using namespace std::chrono_literals;

TEST(ThrottledLog, FirstEventIsLoggedAtOnce) {
  ThrottledLog log(5s);
  const auto admitted = log.admit(ThrottledLog::Clock::time_point{} + 100s);
  ASSERT_TRUE(admitted);
  EXPECT_EQ(*admitted, 0);
}

TEST(ThrottledLog, EventsWithinTheIntervalAreCountedAndReportedWithTheNextLine) {
  ThrottledLog log(5s);
  const auto start = ThrottledLog::Clock::time_point{} + 100s;
  ASSERT_TRUE(log.admit(start));
  EXPECT_FALSE(log.admit(start + 1s));
  EXPECT_FALSE(log.admit(start + 2s));
  EXPECT_FALSE(log.admit(start + 4999ms));
  const auto next = log.admit(start + 5s);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, 3);
  // The count starts again after each line.
  EXPECT_FALSE(log.admit(start + 6s));
  const auto later = log.admit(start + 60s);
  ASSERT_TRUE(later);
  EXPECT_EQ(*later, 1);
}

} // namespace
} // namespace homectl::daemon
