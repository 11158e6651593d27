#include "homectl/watchdog/state_machine.hpp"

#include <ctime>

namespace homectl::watchdog {

std::string_view to_string(DaemonState state) {
  switch (state) {
  case DaemonState::up:
    return "up";
  case DaemonState::down:
    return "down";
  case DaemonState::unreachable:
    return "unreachable";
  case DaemonState::unknown:
    break;
  }
  return "unknown";
}

std::optional<DaemonState> parse_daemon_state(std::string_view text) {
  for (auto state :
       {DaemonState::unknown, DaemonState::up, DaemonState::down, DaemonState::unreachable}) {
    if (to_string(state) == text) {
      return state;
    }
  }
  return std::nullopt;
}

namespace {

// The notification of `next` (or a reminder of the current state), recorded
// in the state as the last one sent.
Notification announce(MachineState& state, const Observation& observation, WallTime now,
                      DaemonState next, bool reminder) {
  Notification n;
  n.state = next;
  n.previous = reminder ? next : state.reported;
  n.message = observation.message;
  n.checks_json = observation.checks_json;
  n.reminder = reminder;
  if (!reminder) {
    state.reported = next;
    state.since = now;
  }
  n.since = state.since;
  state.last_notified = now;
  state.last_message = observation.message;
  return n;
}

// The daemon answered and is fine.
std::optional<Notification> step_up(MachineState& state, const Observation& observation,
                                    WallTime now, const Thresholds& thresholds) {
  state.failure_streak = 0;
  state.kind_streak = 0;
  state.last_failure = DaemonState::unknown;
  ++state.success_streak;
  if (state.reported == DaemonState::unknown) {
    // First decision and the daemon is fine: record it, tell nobody.
    state.reported = DaemonState::up;
    state.since = now;
    state.last_message = observation.message;
    return std::nullopt;
  }
  if (state.reported == DaemonState::up) {
    return std::nullopt;
  }
  if (state.success_streak >= thresholds.success_threshold) {
    return announce(state, observation, now, DaemonState::up, false);
  }
  return std::nullopt;
}

// A failure: down or unreachable.
std::optional<Notification> step_failed(MachineState& state, const Observation& observation,
                                        WallTime now, const Thresholds& thresholds) {
  state.success_streak = 0;
  ++state.failure_streak;
  state.kind_streak = observation.state == state.last_failure ? state.kind_streak + 1 : 1;
  state.last_failure = observation.state;

  if (state.reported == DaemonState::up || state.reported == DaemonState::unknown) {
    if (state.failure_streak >= thresholds.failure_threshold) {
      return announce(state, observation, now, observation.state, false);
    }
    return std::nullopt;
  }
  if (observation.state != state.reported) {
    // down → unreachable or back: a new failure kind needs the same confirmation.
    if (state.kind_streak >= thresholds.failure_threshold) {
      return announce(state, observation, now, observation.state, false);
    }
    return std::nullopt;
  }
  if (thresholds.remind_every && state.last_notified &&
      now - *state.last_notified >= *thresholds.remind_every) {
    return announce(state, observation, now, observation.state, true);
  }
  return std::nullopt;
}

} // namespace

std::optional<Notification> step(MachineState& state, const Observation& observation, WallTime now,
                                 const Thresholds& thresholds) {
  if (observation.state == DaemonState::up) {
    return step_up(state, observation, now, thresholds);
  }
  return step_failed(state, observation, now, thresholds);
}

std::string format_time(WallTime time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string title_of(const Notification& notification) {
  if (notification.test) {
    return "homectl watchdog test";
  }
  switch (notification.state) {
  case DaemonState::up:
    return "homectl recovered";
  case DaemonState::down:
    return notification.reminder ? "homectl is still DOWN" : "homectl is DOWN";
  case DaemonState::unreachable:
    return notification.reminder ? "homectl is still UNREACHABLE" : "homectl is UNREACHABLE";
  case DaemonState::unknown:
    break;
  }
  return "homectl state unknown";
}

} // namespace homectl::watchdog
