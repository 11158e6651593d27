#include "homectl/watchdog/silence.hpp"
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
  StateSaver saver(dir / "watchdog.json", err, WatchdogFile{});
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

TEST(StateSaver, KeepsASilenceSetOrClearedMeanwhileAndHandsItOver) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("homectl-merge-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto path = dir / "watchdog.json";
  std::ostringstream err;
  WatchdogFile state; // a watchdog's state, read before anything was silenced
  StateSaver saver(path, err, state);
  ASSERT_TRUE(saver.save(state));

  // `watchdog silence` writes a silence while the watchdog checks.
  const WallTime until{std::chrono::hours(500'000)};
  WatchdogFile edited = load_state_file(path).value();
  begin_silence(edited, until, "maintenance", WallTime{std::chrono::hours(499'999)});
  ASSERT_TRUE(save_state_file(path, edited));

  state.machine.failure_streak = 3; // the watchdog's own change
  ASSERT_TRUE(saver.save(state));
  auto on_disk = load_state_file(path).value();
  ASSERT_TRUE(on_disk.silence) << "the newer edit is kept";
  EXPECT_EQ(on_disk.silence->reason, "maintenance");
  EXPECT_EQ(on_disk.machine.failure_streak, 3) << "and so is the watchdog's";
  ASSERT_TRUE(saver.save(state));
  EXPECT_TRUE(load_state_file(path).value().silence) << "every save until taken up";

  saver.take_up_silence(state);
  ASSERT_TRUE(state.silence);
  EXPECT_EQ(state.silence->until, until);
  state.silence.reset(); // the watchdog ends it
  ASSERT_TRUE(saver.save(state));
  EXPECT_FALSE(load_state_file(path).value().silence);
  EXPECT_TRUE(err.str().empty()) << err.str();
  std::filesystem::remove_all(dir);
}

TEST(StateLock, OneHolderAtATimeAndABoundedWait) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("homectl-lock-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto path = dir / "sub" / "watchdog.json";
  {
    auto held = lock_state_file(path);
    ASSERT_TRUE(held) << held.error().message;
    EXPECT_TRUE(std::filesystem::is_directory(dir / "sub")) << "made when missing";
    const auto second = lock_state_file(path, std::chrono::milliseconds(60));
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().message.find((dir / "sub").string() + " locked"), std::string::npos)
        << second.error().message;
  }
  EXPECT_TRUE(lock_state_file(path, std::chrono::milliseconds(60))) << "released";
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace homectl::watchdog
