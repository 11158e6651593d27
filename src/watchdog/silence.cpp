#include "homectl/watchdog/silence.hpp"

#include "homectl/watchdog/message.hpp"

namespace homectl::watchdog {
namespace {

// A first run that finds things fine announces nothing: unknown counts as up.
DaemonState effective(DaemonState state) {
  return state == DaemonState::unknown ? DaemonState::up : state;
}

} // namespace

bool is_silenced(const WatchdogFile& file, WallTime now) {
  return file.silence && now < file.silence->until;
}

void begin_silence(WatchdogFile& file, WallTime until, std::string reason, WallTime now) {
  if (!file.silence) {
    Silence silence;
    silence.started = now;
    silence.daemon = Announced{file.machine.reported, file.machine.since};
    for (const auto& track : file.sources) {
      silence.sources[track.name] = Announced{track.machine.reported, track.machine.since};
    }
    file.silence = std::move(silence);
  }
  file.silence->until = until;
  file.silence->reason = std::move(reason);
}

bool end_silence(WatchdogFile& file, WallTime now) {
  if (!file.silence) {
    return false;
  }
  if (file.silence->until > now) {
    file.silence->until = now;
  }
  return true;
}

std::optional<Notification> silence_summary(const WatchdogFile& file, const Silence& silence) {
  Notification n;
  n.summary = true;
  n.state = file.machine.reported;
  n.since = file.machine.since;
  if (effective(silence.daemon.state) != effective(file.machine.reported)) {
    n.daemon_changed = true;
    n.previous = silence.daemon.state;
    n.previous_since = silence.daemon.since;
    n.message = file.machine.last_message;
  } else {
    n.daemon_changed = false;
    n.previous = file.machine.reported;
  }
  for (const auto& track : file.sources) {
    const auto it = silence.sources.find(track.name);
    const Announced before = it != silence.sources.end() ? it->second : Announced{};
    const auto& m = track.machine;
    if (effective(before.state) == effective(m.reported)) {
      continue;
    }
    SourceChange change;
    change.source = track.name;
    change.state = m.reported;
    change.previous = before.state;
    change.since = m.since;
    change.message = change_line(track.name, "failing", m.reported, m.since, before.since,
                                 m.reported == DaemonState::up ? "" : m.last_message, false);
    n.sources.push_back(std::move(change));
  }
  if (!n.daemon_changed && n.sources.empty()) {
    return std::nullopt;
  }
  return n;
}

} // namespace homectl::watchdog
