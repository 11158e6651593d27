#pragma once

#include "homectl/client/target.hpp"
#include "homectl/util/result.hpp"
#include "homectl/watchdog/state_machine.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

// What `watchdog --once` remembers between runs: the state machine and the
// deliveries still owed, in a small JSON file replaced atomically.
namespace homectl::watchdog {

// One notification owed to one notifier (identified by its key).
struct PendingDelivery {
  std::uint64_t id = 0;
  std::string notifier; // Notifier::key()
  Notification notification;
  int attempts = 0;
  WallTime created{};
  WallTime next_attempt{};
  std::string last_error;
};

struct WatchdogFile {
  MachineState machine;
  std::vector<PendingDelivery> queue;
  std::uint64_t next_id = 1;
};

// The JSON text of a state (stable field names, times in Unix milliseconds).
std::string serialize_state(const WatchdogFile& file);

// Parses serialize_state()'s output; the Error names the field that is wrong.
Result<WatchdogFile> parse_state(std::string_view text);

// Reads the state file; a missing file is a fresh state, a damaged one an Error
// naming the file.
Result<WatchdogFile> load_state_file(const std::filesystem::path& path);

// Writes the state to a temporary file in the same directory, fsyncs it and
// renames it over `path` (creating the directory, mode 0700, when missing).
Result<bool> save_state_file(const std::filesystem::path& path, const WatchdogFile& file);

// $RUNTIME_DIRECTORY/watchdog.json (first entry), else
// $XDG_RUNTIME_DIR/homectl/watchdog.json, else /run/homectl/watchdog.json.
std::filesystem::path default_state_path(const client::EnvLookup& env = client::process_env);

} // namespace homectl::watchdog
