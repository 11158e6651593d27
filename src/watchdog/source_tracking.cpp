#include "homectl/watchdog/source_tracking.hpp"

#include "homectl/config/values.hpp"
#include "homectl/util/json.hpp"
#include "homectl/watchdog/message.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

namespace homectl::watchdog {
namespace {

// The longest cause kept per source (it is stored per source and per change).
constexpr std::size_t k_max_cause_size = 200;

constexpr std::string_view k_check_prefix = "source:";

// A check entry's status is "pass"; anything else (or no status) fails.
bool passes(const nlohmann::json& entry) {
  if (!entry.is_object()) {
    return false;
  }
  const auto it = entry.find("status");
  return it != entry.end() && it->is_string() && it->get_ref<const std::string&>() == "pass";
}

std::string output_of(const nlohmann::json& entries) {
  for (const auto& entry : entries) {
    if (entry.is_object() && !passes(entry)) {
      const auto it = entry.find("output");
      if (it != entry.end() && it->is_string()) {
        return it->get<std::string>();
      }
    }
  }
  return {};
}

} // namespace

std::vector<SourceReading> source_readings(std::string_view health_body) {
  std::vector<SourceReading> out;
  const auto parsed = util::parse_json(health_body);
  if (!parsed || !parsed->is_object()) {
    return out;
  }
  const auto checks = parsed->find("checks");
  if (checks == parsed->end() || !checks->is_object()) {
    return out;
  }
  // nlohmann keeps object keys sorted: name order comes for free.
  for (const auto& [key, entries] : checks->items()) {
    if (out.size() == config::k_max_watched_sources) {
      break;
    }
    if (!key.starts_with(k_check_prefix)) {
      continue;
    }
    const std::string name = key.substr(k_check_prefix.size());
    if (!config::parse_source_name(name)) {
      continue;
    }
    SourceReading reading;
    reading.name = name;
    const bool all_pass = entries.is_array() && !entries.empty() &&
                          std::all_of(entries.begin(), entries.end(), passes);
    reading.failing = !all_pass;
    if (reading.failing) {
      reading.cause = entries.is_array() ? source_cause(output_of(entries)) : std::string{};
    }
    out.push_back(std::move(reading));
  }
  return out;
}

std::string source_cause(std::string_view output) {
  // What the daemon's source checks put before the cause (sources/service.cpp).
  static constexpr std::array<std::string_view, 3> k_prefixes{
      "refresh failing, serving stale: ", "required source has nothing servable: ",
      "nothing servable: "};
  for (const auto prefix : k_prefixes) {
    if (output.starts_with(prefix) && output.size() > prefix.size()) {
      output.remove_prefix(prefix.size());
      break;
    }
  }
  return bounded_line(output, k_max_cause_size);
}

void sync_tracks(std::vector<SourceTrack>& tracks, const config::WatchedSources& watched,
                 const Observation& observation) {
  using Mode = config::WatchedSources::Mode;
  if (watched.mode == Mode::required) {
    tracks.clear();
    return;
  }
  const auto reading_of = [&](const std::string& name) -> const SourceReading* {
    for (const auto& r : observation.sources) {
      if (r.name == name) {
        return &r;
      }
    }
    return nullptr;
  };
  const auto listed = [&](const std::string& name) {
    return std::find(watched.names.begin(), watched.names.end(), name) != watched.names.end();
  };
  if (!observation.sources_seen) {
    // No answer: keep what was tracked (still wanted), start nothing new.
    std::erase_if(tracks, [&](const SourceTrack& t) {
      return watched.mode == Mode::list && !listed(t.name);
    });
    return;
  }
  std::vector<std::string> wanted;
  if (watched.mode == Mode::list) {
    wanted = watched.names;
  } else {
    for (const auto& r : observation.sources) {
      wanted.push_back(r.name);
    }
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  if (wanted.size() > config::k_max_watched_sources) {
    wanted.resize(config::k_max_watched_sources);
  }
  std::vector<SourceTrack> next;
  next.reserve(wanted.size());
  for (const auto& name : wanted) {
    auto it = std::find_if(tracks.begin(), tracks.end(),
                           [&](const SourceTrack& t) { return t.name == name; });
    SourceTrack track = it != tracks.end() ? std::move(*it) : SourceTrack{name, {}, false};
    track.reported = reading_of(name) != nullptr;
    next.push_back(std::move(track));
  }
  tracks = std::move(next);
}

std::vector<SourceChange> step_sources(std::vector<SourceTrack>& tracks,
                                       const Observation& observation, WallTime now,
                                       const Thresholds& thresholds) {
  std::vector<SourceChange> changes;
  if (!observation.sources_seen) {
    return changes;
  }
  for (auto& track : tracks) {
    const auto reading = std::find_if(observation.sources.begin(), observation.sources.end(),
                                      [&](const SourceReading& r) { return r.name == track.name; });
    if (reading == observation.sources.end()) {
      continue; // not reported: nothing to judge
    }
    Observation seen;
    seen.state = reading->failing ? DaemonState::down : DaemonState::up;
    seen.message = reading->cause;
    const WallTime before_since = track.machine.since;
    auto n = step(track.machine, seen, now, thresholds);
    if (!n) {
      continue;
    }
    SourceChange change;
    change.source = track.name;
    change.state = n->state;
    change.previous = n->previous;
    change.since = n->since;
    change.reminder = n->reminder;
    change.message = change_line(track.name, "failing", n->state, n->since, before_since,
                                 n->message, n->reminder);
    changes.push_back(std::move(change));
  }
  return changes;
}

} // namespace homectl::watchdog
