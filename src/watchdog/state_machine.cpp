#include "homectl/watchdog/state_machine.hpp"

#include <algorithm>
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

std::string format_wall_time(WallTime time, const char* format, TimeZone zone) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  if (zone == TimeZone::local) {
    localtime_r(&t, &tm);
  } else {
    gmtime_r(&t, &tm);
  }
  char buf[64];
  return std::strftime(buf, sizeof buf, format, &tm) > 0 ? std::string(buf) : std::string();
}

std::string format_time(WallTime time) {
  return format_wall_time(time, "%Y-%m-%dT%H:%M:%SZ", TimeZone::utc);
}

namespace {

// The title of a daemon change: "homectl is DOWN", "homectl recovered", ...
std::string daemon_title(const Notification& notification) {
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

// The source changes in a few words: "weather failing", "weather recovered",
// "2 sources failing, 1 recovered".
std::string sources_phrase(const Notification& notification) {
  const auto& changes = notification.sources;
  if (changes.size() == 1 && notification.sources_left_out == 0) {
    const auto& c = changes.front();
    return c.source + (c.state == DaemonState::up ? " recovered"
                       : c.reminder               ? " still failing"
                                                  : " failing");
  }
  const auto recovered = static_cast<std::size_t>(
      std::count_if(changes.begin(), changes.end(),
                    [](const SourceChange& c) { return c.state == DaemonState::up; }));
  const std::size_t failing = changes.size() - recovered;
  std::string out;
  if (failing > 0) {
    out = std::to_string(failing) + (failing == 1 ? " source" : " sources") + " failing";
  }
  if (recovered > 0) {
    out += (out.empty() ? std::to_string(recovered) + (recovered == 1 ? " source" : " sources") +
                              " recovered"
                        : ", " + std::to_string(recovered) + " recovered");
  }
  if (notification.sources_left_out > 0) {
    out += (out.empty() ? "" : ", ") + std::to_string(notification.sources_left_out) + " more";
  }
  return out;
}

} // namespace

std::string title_of(const Notification& notification) {
  if (notification.test) {
    return "homectl watchdog test";
  }
  const bool has_sources = !notification.sources.empty() || notification.sources_left_out > 0;
  if (notification.summary) {
    std::string what;
    if (notification.daemon_changed) {
      what = notification.state == DaemonState::up
                 ? "homectl recovered"
                 : "homectl " + std::string(to_string(notification.state));
    }
    if (has_sources) {
      what += (what.empty() ? "" : ", ") + sources_phrase(notification);
    }
    return "homectl silence over: " + what;
  }
  if (!notification.daemon_changed) {
    return "homectl: " + sources_phrase(notification);
  }
  if (has_sources) {
    return daemon_title(notification) + " (" + sources_phrase(notification) + ")";
  }
  return daemon_title(notification);
}

} // namespace homectl::watchdog
