#include "homectl/watchdog/watch_loop.hpp"

#include <algorithm>
#include <ostream>

namespace homectl::watchdog {

StateSaver::StateSaver(std::filesystem::path path, std::ostream& err, const WatchdogFile& loaded)
    : m_path(std::move(path)), m_err(err), m_known(loaded.silence) {}

bool StateSaver::save(const WatchdogFile& file) {
  auto lock = lock_state_file(m_path);
  if (!lock) {
    return report(lock.error());
  }
  if (auto on_disk = load_state_file(m_path); on_disk && on_disk->silence != m_known) {
    // Silenced or cleared since the state was read: that edit wins.
    WatchdogFile merged = file;
    merged.silence = on_disk->silence;
    return report(save_state_file(m_path, merged));
  }
  const bool saved = report(save_state_file(m_path, file));
  if (saved) {
    m_known = file.silence;
  }
  return saved;
}

void StateSaver::take_up_silence(WatchdogFile& file) {
  if (auto on_disk = load_state_file(m_path); on_disk) {
    file.silence = on_disk->silence;
    m_known = file.silence;
  }
}

bool StateSaver::report(const Result<void>& saved) {
  if (saved) {
    if (!m_last_error.empty()) {
      m_err << "homectl watchdog: saved the state to " << m_path.string() << " again\n";
      m_last_error.clear();
    }
    return true;
  }
  m_failed = true;
  if (saved.error().message != m_last_error) {
    m_last_error = saved.error().message;
    m_err << "homectl watchdog: error: cannot save the state: " << m_last_error << "\n";
  }
  return false;
}

std::chrono::milliseconds next_wait(std::chrono::milliseconds remaining,
                                    std::optional<std::chrono::microseconds> ping) {
  if (!ping) {
    return remaining;
  }
  const auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(*ping);
  return std::min(remaining, std::max(std::chrono::milliseconds(100), interval));
}

void watch(Watchdog& dog, WatchdogFile& state, const WatchLoopOptions& options,
           client::StopSignal& stop, const util::SystemdNotifier& systemd,
           const std::function<void(const RunReport&)>& report) {
  systemd.ready("watching " + dog.settings().url);
  for (int i = 0; options.iterations == 0 || i < options.iterations; ++i) {
    if (stop.requested()) {
      break;
    }
    if (options.before_check) {
      options.before_check(state);
    }
    const auto run = dog.run_once(state);
    report(run);
    systemd.status("daemon " + std::string(to_string(state.machine.reported)) +
                   ", last check: " + run.observation.message);
    if (options.iterations != 0 && i + 1 == options.iterations) {
      break;
    }
    bool stopping = false;
    for (auto remaining = options.interval; remaining.count() > 0 && !stopping;) {
      const auto chunk = next_wait(remaining, systemd.watchdog_interval());
      stopping = stop.wait_for(chunk);
      if (!stopping) {
        systemd.watchdog();
        remaining -= chunk;
      }
    }
    if (stopping) {
      break;
    }
  }
  systemd.stopping("stopping");
}

} // namespace homectl::watchdog
