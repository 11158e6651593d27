#include "homectl/watchdog/status.hpp"

#include "homectl/watchdog/message.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace homectl::watchdog {
namespace {

// The names shown: the configured list, or every tracked source.
std::vector<std::string> shown_sources(const StatusInput& input) {
  std::vector<std::string> names;
  if (input.watched.mode == config::WatchedSources::Mode::list) {
    names = input.watched.names;
  } else if (input.watched.mode == config::WatchedSources::Mode::all) {
    for (const auto& track : input.file.sources) {
      names.push_back(track.name);
    }
  }
  return names;
}

const SourceTrack* find_track(const StatusInput& input, const std::string& name) {
  for (const auto& track : input.file.sources) {
    if (track.name == name) {
      return &track;
    }
  }
  return nullptr;
}

std::string ago(WallTime then, WallTime now) {
  return format_span(std::chrono::duration_cast<std::chrono::seconds>(now - then));
}

std::string tracking_text(const config::WatchedSources& watched) {
  switch (watched.mode) {
  case config::WatchedSources::Mode::all:
    return "the daemon and every source it reports (watchdog.sources: all)";
  case config::WatchedSources::Mode::list: {
    if (watched.names.empty()) {
      return "the daemon (watchdog.sources: [])";
    }
    std::string names;
    for (const auto& name : watched.names) {
      names += (names.empty() ? "" : ", ") + name;
    }
    return "the daemon and the sources " + names;
  }
  case config::WatchedSources::Mode::required:
    break;
  }
  return "the daemon (watchdog.sources: required; a failing required source fails its "
         "readiness)";
}

nlohmann::json tracking_json(const config::WatchedSources& watched) {
  switch (watched.mode) {
  case config::WatchedSources::Mode::all:
    return "all";
  case config::WatchedSources::Mode::list:
    return watched.names;
  case config::WatchedSources::Mode::required:
    break;
  }
  return "required";
}

struct Pending {
  std::size_t count = 0;
  WallTime next_attempt{};
  std::string last_error;
};

std::map<std::string, Pending> pending_by_notifier(const WatchdogFile& file) {
  std::map<std::string, Pending> out;
  for (const auto& d : file.queue) {
    auto& p = out[d.notifier];
    if (p.count == 0 || d.next_attempt < p.next_attempt) {
      p.next_attempt = d.next_attempt;
    }
    ++p.count;
    if (!d.last_error.empty()) {
      p.last_error = d.last_error;
    }
  }
  return out;
}

nlohmann::json time_or_null(WallTime time) {
  return time == WallTime{} ? nlohmann::json() : nlohmann::json(format_time(time));
}

} // namespace

std::string tracked_state(const StatusInput& input, const std::string& source) {
  const auto* track = find_track(input, source);
  if (track == nullptr) {
    return "unknown";
  }
  if (!track->reported) {
    return "not reported";
  }
  return std::string(source_state_name(track->machine.reported));
}

std::string status_text(const StatusInput& input) {
  std::ostringstream out;
  out << "Watching:    " << input.url << "\n";
  out << "Tracking:    " << tracking_text(input.watched) << "\n";
  out << "State file:  " << input.state_path.string() << "\n\n";

  struct Row {
    std::string what, state, since;
  };
  std::vector<Row> rows;
  const auto& m = input.file.machine;
  Row daemon{"homectl", std::string(to_string(m.reported)), "-"};
  if (m.reported != DaemonState::unknown) {
    daemon.since = format_local_time(m.since) + " (" + ago(m.since, input.now) + " ago)";
    if (m.reported != DaemonState::up && !m.last_message.empty()) {
      daemon.since += ": " + bounded_line(m.last_message, 200);
    }
  }
  rows.push_back(std::move(daemon));
  for (const auto& name : shown_sources(input)) {
    Row row{name, tracked_state(input, name), "-"};
    const auto* track = find_track(input, name);
    if (track != nullptr && track->reported && track->machine.reported != DaemonState::unknown) {
      row.since = format_local_time(track->machine.since) + " (" +
                  ago(track->machine.since, input.now) + " ago)";
      if (track->machine.reported != DaemonState::up && !track->machine.last_message.empty()) {
        row.since += ": " + track->machine.last_message;
      }
    }
    rows.push_back(std::move(row));
  }
  std::size_t what_width = 4;
  std::size_t state_width = 5;
  for (const auto& row : rows) {
    what_width = std::max(what_width, row.what.size());
    state_width = std::max(state_width, row.state.size());
  }
  const auto pad = [](const std::string& s, std::size_t width) {
    return s + std::string(width - s.size() + 2, ' ');
  };
  out << pad("WHAT", what_width) << pad("STATE", state_width) << "SINCE\n";
  for (const auto& row : rows) {
    out << pad(row.what, what_width) << pad(row.state, state_width) << row.since << "\n";
  }

  out << "\nSilence:     ";
  if (!input.file.silence) {
    out << "none\n";
  } else {
    const auto& s = *input.file.silence;
    if (input.now < s.until) {
      out << "until " << format_local_time(s.until) << " (" << ago(input.now, s.until) << " left)";
    } else {
      out << "ended at " << format_local_time(s.until) << "; the next check sends what changed";
    }
    out << (s.reason.empty() ? "" : ": " + s.reason) << "\n";
  }

  out << "Pending:     ";
  const auto pending = pending_by_notifier(input.file);
  if (pending.empty()) {
    out << "none\n";
  } else {
    out << "\n";
    for (const auto& [notifier, p] : pending) {
      out << "  " << notifier << ": " << p.count << " notification" << (p.count == 1 ? "" : "s")
          << ", next attempt " << format_local_time(p.next_attempt);
      if (!p.last_error.empty()) {
        out << ", last error: " << p.last_error;
      }
      out << "\n";
    }
  }
  return out.str();
}

nlohmann::json status_json(const StatusInput& input) {
  using nlohmann::json;
  const auto& m = input.file.machine;
  json daemon{{"state", to_string(m.reported)},
              {"since", m.reported == DaemonState::unknown ? json() : time_or_null(m.since)},
              {"message", m.last_message}};
  json sources = json::array();
  for (const auto& name : shown_sources(input)) {
    const auto* track = find_track(input, name);
    const bool known = track != nullptr && track->machine.reported != DaemonState::unknown;
    sources.push_back(json{{"source", name},
                           {"state", tracked_state(input, name)},
                           {"since", known ? time_or_null(track->machine.since) : json()},
                           {"cause", known && track->machine.reported != DaemonState::up
                                         ? track->machine.last_message
                                         : std::string()}});
  }
  json silence;
  if (input.file.silence) {
    const auto& s = *input.file.silence;
    silence = json{{"until", format_time(s.until)},
                   {"started", format_time(s.started)},
                   {"reason", s.reason},
                   {"active", input.now < s.until}};
  }
  json pending = json::array();
  for (const auto& [notifier, p] : pending_by_notifier(input.file)) {
    pending.push_back(json{{"notifier", notifier},
                           {"count", p.count},
                           {"next_attempt", format_time(p.next_attempt)},
                           {"last_error", p.last_error}});
  }
  return json{{"url", input.url},
              {"state_file", input.state_path.string()},
              {"tracking", tracking_json(input.watched)},
              {"daemon", std::move(daemon)},
              {"sources", std::move(sources)},
              {"silence", std::move(silence)},
              {"pending", std::move(pending)}};
}

} // namespace homectl::watchdog
