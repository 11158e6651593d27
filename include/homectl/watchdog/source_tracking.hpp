#pragma once

#include "homectl/config/config.hpp"
#include "homectl/watchdog/state_file.hpp"
#include "homectl/watchdog/state_machine.hpp"

#include <string>
#include <string_view>
#include <vector>

// Tracking sources one by one (`watchdog.sources`): what the daemon's answer
// says about each source, and each tracked source run through the same
// step() as the daemon, so thresholds, recovery and reminders are the same.
namespace homectl::watchdog {

// The per-source checks of a daemon's /ready or /health answer: its
// "source:<name>" checks with a valid name, in name order, at most
// config::k_max_watched_sources. Anything else in the answer is ignored.
std::vector<SourceReading> source_readings(std::string_view health_body);

// The cause in a source check's output: "upstream status 503" from "refresh
// failing, serving stale: upstream status 503"; one bounded line.
std::string source_cause(std::string_view output);

// Keeps `tracks` in step with `watched`: none for "required"; every named
// source for a list (whether the daemon reports it or not); for "all" the
// sources the daemon reported, once it answered. Marks which were reported.
void sync_tracks(std::vector<SourceTrack>& tracks, const config::WatchedSources& watched,
                 const Observation& observation);

// Feeds each tracked source that the daemon reported its reading; returns the
// changes to announce, in name order.
std::vector<SourceChange> step_sources(std::vector<SourceTrack>& tracks,
                                       const Observation& observation, WallTime now,
                                       const Thresholds& thresholds);

} // namespace homectl::watchdog
