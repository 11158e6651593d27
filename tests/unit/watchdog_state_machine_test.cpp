#include "homectl/util/clock.hpp"
#include "homectl/watchdog/state_machine.hpp"

#include <gtest/gtest.h>

using namespace homectl;
using namespace homectl::watchdog;
using namespace std::chrono_literals;

namespace {

Observation up() {
  return {DaemonState::up, "ready", ""};
}
Observation down() {
  return {DaemonState::down, "not ready: sources:plug fail", ""};
}
Observation gone() {
  return {DaemonState::unreachable, "unreachable: refused", ""};
}

class StateMachine : public ::testing::Test {
protected:
  std::optional<Notification> feed(const Observation& o) {
    auto n = step(state, o, clock.wall(), thresholds);
    clock.advance(60s);
    return n;
  }
  util::ManualClock clock;
  MachineState state;
  Thresholds thresholds{3, 2, std::nullopt};
};

} // namespace

TEST_F(StateMachine, FirstRunThatFindsTheDaemonUpIsSilent) {
  const auto first = clock.wall();
  EXPECT_FALSE(feed(up()));
  EXPECT_EQ(state.reported, DaemonState::up);
  EXPECT_EQ(state.since, first);
  EXPECT_FALSE(state.last_notified);
  EXPECT_FALSE(feed(up()));
}

TEST_F(StateMachine, DownNeedsFailureThresholdConsecutiveFailures) {
  feed(up());
  EXPECT_FALSE(feed(down()));
  EXPECT_FALSE(feed(down()));
  const auto third = clock.wall();
  auto n = feed(down());
  ASSERT_TRUE(n);
  EXPECT_EQ(n->state, DaemonState::down);
  EXPECT_EQ(n->previous, DaemonState::up);
  EXPECT_EQ(n->since, third);
  EXPECT_EQ(n->message, "not ready: sources:plug fail");
  EXPECT_FALSE(n->reminder);
  // Staying down announces nothing more (reminders are off).
  EXPECT_FALSE(feed(down()));
  EXPECT_FALSE(feed(down()));
}

TEST_F(StateMachine, ASuccessResetsTheFailureCount) {
  feed(up());
  feed(down());
  feed(down());
  EXPECT_FALSE(feed(up()));
  EXPECT_FALSE(feed(down()));
  EXPECT_FALSE(feed(down()));
  EXPECT_TRUE(feed(down()));
}

TEST_F(StateMachine, MixedFailuresCountTogetherAndTheLatestKindIsAnnounced) {
  feed(up());
  feed(down());
  feed(gone());
  auto n = feed(gone());
  ASSERT_TRUE(n);
  EXPECT_EQ(n->state, DaemonState::unreachable);
}

TEST_F(StateMachine, RecoveryNeedsSuccessThresholdSuccesses) {
  feed(up());
  feed(down());
  feed(down());
  const auto down_since = clock.wall() - 0s;
  ASSERT_TRUE(feed(down()));
  EXPECT_FALSE(feed(up()));
  EXPECT_FALSE(feed(down())); // a relapse resets the success count
  EXPECT_FALSE(feed(up()));
  const auto recovered_at = clock.wall();
  auto n = feed(up());
  ASSERT_TRUE(n);
  EXPECT_EQ(n->state, DaemonState::up);
  EXPECT_EQ(n->previous, DaemonState::down);
  EXPECT_EQ(n->since, recovered_at);
  EXPECT_NE(n->since, down_since);
  EXPECT_FALSE(feed(up()));
}

TEST_F(StateMachine, ChangingFailureKindNeedsConfirmationToo) {
  feed(up());
  feed(down());
  feed(down());
  ASSERT_TRUE(feed(down()));
  EXPECT_FALSE(feed(gone()));
  EXPECT_FALSE(feed(gone()));
  auto n = feed(gone());
  ASSERT_TRUE(n);
  EXPECT_EQ(n->state, DaemonState::unreachable);
  EXPECT_EQ(n->previous, DaemonState::down);
}

TEST_F(StateMachine, RemindersRepeatWhileDown) {
  thresholds.remind_every = 6h;
  feed(up());
  feed(down());
  feed(down());
  const auto since = clock.wall();
  ASSERT_TRUE(feed(down()));
  // One observation a minute: the reminder comes on the first one 6 h after.
  int reminders = 0;
  int observations = 0;
  for (; observations < 6 * 60 + 1; ++observations) {
    if (auto n = feed(down())) {
      ++reminders;
      EXPECT_TRUE(n->reminder);
      EXPECT_EQ(n->state, DaemonState::down);
      EXPECT_EQ(n->previous, DaemonState::down);
      EXPECT_EQ(n->since, since); // a reminder keeps the original start
      break;
    }
  }
  EXPECT_EQ(reminders, 1);
  EXPECT_EQ(observations, 6 * 60 - 1);
  EXPECT_EQ(state.since, since);
}

TEST_F(StateMachine, FirstRunThatFindsTheDaemonDownAnnouncesAfterTheThreshold) {
  EXPECT_FALSE(feed(gone()));
  EXPECT_FALSE(feed(gone()));
  auto n = feed(gone());
  ASSERT_TRUE(n);
  EXPECT_EQ(n->previous, DaemonState::unknown);
  EXPECT_EQ(n->state, DaemonState::unreachable);
}

TEST_F(StateMachine, ThresholdOfOneAnnouncesAtOnce) {
  thresholds = {1, 1, std::nullopt};
  feed(up());
  EXPECT_TRUE(feed(down()));
  EXPECT_TRUE(feed(up()));
}

TEST(WatchdogText, TitlesAndTimes) {
  Notification n;
  n.state = DaemonState::down;
  EXPECT_EQ(title_of(n), "homectl is DOWN");
  n.reminder = true;
  EXPECT_EQ(title_of(n), "homectl is still DOWN");
  n.state = DaemonState::up;
  EXPECT_EQ(title_of(n), "homectl recovered");
  EXPECT_EQ(format_time(WallTime(std::chrono::seconds(1'800'000'000))), "2027-01-15T08:00:00Z");
  EXPECT_EQ(parse_daemon_state("unreachable"), DaemonState::unreachable);
  EXPECT_FALSE(parse_daemon_state("sideways"));
}
