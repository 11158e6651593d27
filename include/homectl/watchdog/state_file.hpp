#pragma once

#include "homectl/client/target.hpp"
#include "homectl/util/result.hpp"
#include "homectl/watchdog/state_machine.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// What `watchdog --once` remembers between runs: the state machine and the
// deliveries still owed, in a small JSON file replaced atomically.
namespace homectl::watchdog {

// One notification owed to one notifier (identified by its key).
struct PendingDelivery {
  std::uint64_t id = 0;
  std::string notifier; // Notifier::key(), a notifier_label()
  Notification notification;
  int attempts = 0;
  WallTime created{};
  WallTime next_attempt{};
  std::string last_error;
};

// One source tracked by `watchdog.sources`, run through the same step() as the daemon.
struct SourceTrack {
  std::string name; // a valid source name
  MachineState machine;
  bool reported = false; // the daemon's last answer had a check for it
  bool operator==(const SourceTrack&) const = default;
};

// A state as last announced (before a silence began).
struct Announced {
  DaemonState state = DaemonState::unknown;
  WallTime since{};
  bool operator==(const Announced&) const = default;
};

// A maintenance window (`watchdog silence`): changes are recorded, not sent;
// once it is over, one summary says what differs from `daemon`/`sources`.
struct Silence {
  WallTime until{};
  WallTime started{};
  std::string reason; // at most k_max_silence_reason bytes, no control characters
  Announced daemon;
  std::map<std::string, Announced> sources;
  bool operator==(const Silence&) const = default;
};

// The longest `watchdog silence --reason`, in bytes.
inline constexpr std::size_t k_max_silence_reason = 200;

struct WatchdogFile {
  MachineState machine;
  std::vector<PendingDelivery> queue;
  std::uint64_t next_id = 1;
  // Queued deliveries left out while parsing because an older version keyed
  // them by URL or argv (not written back).
  std::size_t dropped_legacy = 0;
  std::vector<SourceTrack> sources; // in name order; at most config::k_max_watched_sources
  std::optional<Silence> silence;
};

// Why `reason` cannot be a silence's reason (too long, a control character),
// or nothing when it can.
std::optional<std::string> silence_reason_problem(std::string_view reason);

// The largest state file load_state_file() reads and save_state_file() writes.
inline constexpr std::size_t k_max_state_file_size = std::size_t{1} << 20;

// The JSON text of a state (stable field names, times in Unix milliseconds).
std::string serialize_state(const WatchdogFile& file);

// Parses serialize_state()'s output; the Error names the field that is wrong.
// Nesting deeper than the format's is refused; queue entries not keyed by a
// notifier_label() are dropped and counted in `dropped_legacy`.
Result<WatchdogFile> parse_state(std::string_view text);

// Reads the state file; a missing file is a fresh state. A symbolic link (never
// followed), anything but a regular file, a file over k_max_state_file_size
// and damaged content are Errors naming the file.
Result<WatchdogFile> load_state_file(const std::filesystem::path& path);

// Writes the state (mode 0600) to a temporary file in the same directory,
// fsyncs it and renames it over `path`, creating missing directories with mode
// 0700. Refuses to replace a symbolic link or anything but a regular file.
// Run as root (`sudo homectl watchdog silence`), it keeps the owner of the
// file it replaces, so a watchdog running as another user can still read it.
Result<void> save_state_file(const std::filesystem::path& path, const WatchdogFile& file);

// An exclusive lock (flock) on the directory of a state file, held while one
// process reads, changes and replaces the file, so that a running watchdog and
// `watchdog silence` never undo each other's edit. Released by the destructor.
class StateLock {
public:
  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&&) = delete;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

private:
  friend Result<StateLock> lock_state_file(const std::filesystem::path&, std::chrono::milliseconds);
  explicit StateLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

// Locks the directory of `path` (created with mode 0700 when missing), trying
// for up to `wait`; the Error names the directory when it stays locked.
Result<StateLock> lock_state_file(const std::filesystem::path& path,
                                  std::chrono::milliseconds wait = std::chrono::seconds(10));

// $RUNTIME_DIRECTORY/watchdog.json (first entry), else
// $XDG_RUNTIME_DIR/homectl/watchdog.json, else /run/homectl/watchdog.json.
std::filesystem::path default_state_path(const client::EnvLookup& env = client::process_env);

} // namespace homectl::watchdog
