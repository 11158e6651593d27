#pragma once

#include "homectl/client/stop_signal.hpp"
#include "homectl/util/systemd_notify.hpp"
#include "homectl/watchdog/state_file.hpp"
#include "homectl/watchdog/watchdog.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

// The watchdog's long-running mode (`homectl watchdog` without --once) and
// the saving of its state, shared by both modes.
namespace homectl::watchdog {

// Saves the state file and says so on `err` when it cannot: every failure
// with the path, a repeat of the same failure only once, and a recovery too.
//
// `watchdog silence` edits the same file while a watchdog runs. The saver
// remembers the silence the watchdog's state was last read with; when the file
// holds another one at save time, that edit is newer and is kept, and
// take_up_silence() hands it to the watchdog before its next check.
class StateSaver {
public:
  // `loaded`: the state as read from `path` at start.
  StateSaver(std::filesystem::path path, std::ostream& err, const WatchdogFile& loaded);

  bool save(const WatchdogFile& file);
  // Reads the silence in the file into `file` (kept as it is when unreadable).
  void take_up_silence(WatchdogFile& file);
  // True once any save failed.
  bool failed() const { return m_failed; }

private:
  bool report(const Result<void>& saved);

  std::filesystem::path m_path;
  std::ostream& m_err;
  std::optional<Silence> m_known; // the silence the caller's state was read with
  std::string m_last_error;
  bool m_failed = false;
};

struct WatchLoopOptions {
  std::chrono::milliseconds interval{60'000}; // between checks
  int iterations = 0;                         // stop after N checks; 0 = until stopped
  // Called before each check (e.g. to take up a silence set meanwhile).
  std::function<void(WatchdogFile&)> before_check;
};

// How long to wait before the next systemd watchdog ping: all of `remaining`
// without a ping interval, else at most the interval (and at least 100 ms).
std::chrono::milliseconds next_wait(std::chrono::milliseconds remaining,
                                    std::optional<std::chrono::microseconds> ping);

// Checks, hands each report to `report`, tells systemd what it saw (READY=1
// first, STATUS= after each check, STOPPING=1 at the end) and pings its
// watchdog while waiting for the next check; returns once `stop` is requested
// or after options.iterations checks.
void watch(Watchdog& dog, WatchdogFile& state, const WatchLoopOptions& options,
           client::StopSignal& stop, const util::SystemdNotifier& systemd,
           const std::function<void(const RunReport&)>& report);

} // namespace homectl::watchdog
