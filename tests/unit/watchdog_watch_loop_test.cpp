#include "homectl/watchdog/watch_loop.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace homectl::watchdog {
namespace {

using namespace std::chrono_literals;

TEST(WatchLoopNextWait, WaitsTheWholeIntervalWithoutASystemdWatchdog) {
  EXPECT_EQ(next_wait(60s, std::nullopt), 60s);
}

TEST(WatchLoopNextWait, WakesUpToPingTheSystemdWatchdog) {
  EXPECT_EQ(next_wait(60s, std::chrono::microseconds(15s)), 15s);
  EXPECT_EQ(next_wait(5s, std::chrono::microseconds(15s)), 5s) << "never past the next check";
  EXPECT_EQ(next_wait(60s, std::chrono::microseconds(10ms)), 100ms) << "never a busy loop";
}

TEST(StateSaver, SaysOnceWhyItCannotSaveAndWhenItCanAgain) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("homectl-saver-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "watchdog.json"); // a directory where the file goes
  std::ostringstream err;
  StateSaver saver(dir / "watchdog.json", err);
  EXPECT_FALSE(saver.save(WatchdogFile{}));
  EXPECT_FALSE(saver.save(WatchdogFile{}));
  EXPECT_TRUE(saver.failed());
  const auto first = err.str();
  EXPECT_NE(first.find("homectl watchdog: error: cannot save the state: "), std::string::npos)
      << first;
  EXPECT_EQ(first.find('\n'), first.size() - 1) << "the same failure is said once:\n" << first;
  std::filesystem::remove_all(dir / "watchdog.json");
  EXPECT_TRUE(saver.save(WatchdogFile{}));
  EXPECT_NE(err.str().find("saved the state to " + (dir / "watchdog.json").string() + " again"),
            std::string::npos)
      << err.str();
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace homectl::watchdog
