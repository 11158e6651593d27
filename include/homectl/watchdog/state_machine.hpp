#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The watchdog's decision logic, free of I/O: it turns a stream of
// observations of the daemon into at most one notification per observation,
// applying failure/success thresholds, reminders and a silent first run.
namespace homectl::watchdog {

using WallTime = std::chrono::system_clock::time_point;

// What the watchdog believes about the daemon. `unknown` only before the first
// decision.
enum class DaemonState { unknown, up, down, unreachable };

std::string_view to_string(DaemonState state);
std::optional<DaemonState> parse_daemon_state(std::string_view text);

// What the daemon's answer says about one source (its "source:<name>" check).
struct SourceReading {
  std::string name;
  bool failing = false; // the check is not "pass"
  std::string cause;    // "upstream status 503"; "" when passing
};

// One check of the daemon: up (/ready 200), down (/ready 503 or fail) or
// unreachable (no usable answer), with a message for people and the raw
// health checks (JSON text, may be empty).
struct Observation {
  DaemonState state = DaemonState::unreachable;
  std::string message;
  std::string checks_json;
  // The daemon's per-source checks, in name order; `sources_seen` is false
  // when no answer with checks came (unreachable), so no source is judged.
  std::vector<SourceReading> sources;
  bool sources_seen = false;
};

// One source's change, carried by the notification of the run that found it.
struct SourceChange {
  std::string source;
  DaemonState state = DaemonState::unknown; // up: recovered; down: failing
  DaemonState previous = DaemonState::unknown;
  WallTime since{};    // when `state` began
  std::string message; // "weather failing since 10:42: upstream status 503"
  bool reminder = false;
  bool operator==(const SourceChange&) const = default;
};

// What to announce.
struct Notification {
  DaemonState state = DaemonState::unknown;
  DaemonState previous = DaemonState::unknown;
  WallTime since{};        // when `state` began
  std::string message;     // one line for people
  std::string checks_json; // the daemon's checks, "" when none
  bool reminder = false;   // still down, reminding
  bool test = false;       // --test-notify
  // The sources that changed in the same run, grouped into this one
  // notification (name order); empty for a notification about the daemon only.
  std::vector<SourceChange> sources;
  // False when only sources changed: state, previous and since then say
  // where the daemon stands, unchanged.
  bool daemon_changed = true;
  bool summary = false;             // what differs after a silence ended
  WallTime previous_since{};        // when `previous` began (for "recovered after")
  std::size_t sources_left_out = 0; // changes beyond what one notification carries
};

struct Thresholds {
  int failure_threshold = 3; // consecutive failures before down/unreachable is announced
  int success_threshold = 2; // consecutive successes before recovery is announced
  std::optional<std::chrono::milliseconds> remind_every; // while failing; nullopt = off
};

// The remembered part, persisted between `--once` runs.
struct MachineState {
  DaemonState reported = DaemonState::unknown; // the last announced (or silently recorded) state
  WallTime since{};                            // when `reported` began
  int failure_streak = 0;                      // consecutive failures (any kind)
  int kind_streak = 0;                         // consecutive failures of `last_failure`
  DaemonState last_failure = DaemonState::unknown;
  int success_streak = 0;
  std::optional<WallTime> last_notified; // for reminders
  std::string last_message;
  bool operator==(const MachineState&) const = default;
};

// Feeds one observation made at `now`; returns what to announce, if anything.
std::optional<Notification> step(MachineState& state, const Observation& observation, WallTime now,
                                 const Thresholds& thresholds);

// `time` through strftime(3) `format`, in UTC or the machine's local time
// (at most 63 characters).
enum class TimeZone { utc, local };
std::string format_wall_time(WallTime time, const char* format, TimeZone zone);

// RFC 3339 UTC with seconds, e.g. "2026-11-26T10:28:47Z".
std::string format_time(WallTime time);

// The one-line title of a notification: "homectl is DOWN", "homectl recovered",
// "homectl: weather failing", "homectl: 2 sources failing, 1 recovered", ...
std::string title_of(const Notification& notification);

} // namespace homectl::watchdog
