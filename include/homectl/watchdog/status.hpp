#pragma once

#include "homectl/config/config.hpp"
#include "homectl/watchdog/state_file.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

// `homectl watchdog status`: what the watchdog tracks and where each tracked
// thing stands, the silence and the deliveries still owed, read from the
// state file alone (no daemon, no notifier is contacted).
namespace homectl::watchdog {

struct StatusInput {
  std::string url; // the watched daemon
  std::filesystem::path state_path;
  config::WatchedSources watched;
  WatchdogFile file;
  WallTime now{};
};

// How a tracked source is shown: "ok", "failing", "unknown" (not checked
// yet) or "not reported" (the daemon's last answer had no check for it).
std::string tracked_state(const StatusInput& input, const std::string& source);

// The report for people: aligned columns, local times.
std::string status_text(const StatusInput& input);

// The report for scripts: {"url","state_file","tracking","daemon","sources",
// "silence","pending"}, times in RFC 3339 UTC.
nlohmann::json status_json(const StatusInput& input);

} // namespace homectl::watchdog
