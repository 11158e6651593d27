#pragma once

#include "homectl/util/clock.hpp"
#include "homectl/watchdog/notifier.hpp"
#include "homectl/watchdog/state_file.hpp"
#include "homectl/watchdog/state_machine.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

// The watchdog: observes the daemon (/ready, /health), feeds the state
// machine (and one per tracked source), queues one delivery per notifier for
// each run's changes, grouped into one notification, and works the queue with
// bounded retries, so a failed delivery is retried on the next run (or after
// its Retry-After) and a delivered one is never sent again. A silence holds
// the changes back and ends with one summary.
namespace homectl::watchdog {

struct WatchdogSettings {
  std::string url;   // the daemon being watched
  std::string token; // Bearer token for the daemon, may be empty
  Thresholds thresholds;
  std::chrono::milliseconds timeout{5000};           // per HTTP request to the daemon
  int attempts_per_run = 3;                          // delivery attempts before deferring
  std::chrono::milliseconds retry_base{500};         // backoff between attempts in one run
  std::chrono::milliseconds max_inline_wait{10'000}; // longer Retry-After → defer to a later run
  std::chrono::milliseconds max_age{24LL * 3'600'000}; // older deliveries are dropped
  config::WatchedSources sources;                      // tracked one by one besides the daemon
};

// Waits (tests pass a recorder instead of sleeping).
using Sleeper = std::function<void(std::chrono::milliseconds)>;

// One notifier's result for one delivery.
struct DeliveryReport {
  std::string notifier;
  DeliveryResult result;
  bool deferred = false;     // still queued for a later run
  bool dropped = false;      // given up (too old, queue full, or notifier no longer configured)
  bool unconfigured = false; // dropped because no configured notifier has its key (not a failure)
};

// What one run did.
struct RunReport {
  Observation observation;
  std::optional<Notification> notification;
  std::vector<DeliveryReport> deliveries;
  std::vector<DeliveryReport> heartbeats; // one per heartbeat that sent something
  std::size_t still_queued = 0;
  std::size_t source_changes = 0;         // changes of tracked sources found by this run
  std::optional<WallTime> silenced_until; // set while a silence holds the changes back
  std::size_t held = 0;                   // changes recorded but not sent (silence)
  bool silence_ended = false;             // this run ended a silence (and sent any summary)
  // True when a delivery or a heartbeat failed (a delivery stays queued; a
  // heartbeat is sent again after the next check) or a delivery was given up;
  // a notification for a notifier no longer configured is dropped quietly.
  bool delivery_failed() const;
};

class Watchdog {
public:
  Watchdog(WatchdogSettings settings, std::vector<std::unique_ptr<Notifier>> notifiers,
           const util::Clock& clock, Sleeper sleeper);

  // Asks the daemon: GET /ready, and /health for the message when not up.
  Observation observe();

  // observe() + apply().
  RunReport run_once(WatchdogFile& file);

  // Feeds `observation` to the daemon's and the tracked sources' machines,
  // queues the run's changes as one notification for every notifier (unless
  // silenced) and works the due part of the queue. `persist` (if set) is called after
  // every change so a crash can neither lose nor repeat a delivery.
  RunReport apply(WatchdogFile& file, const Observation& observation);

  // Sends a test notification to every notifier once, bypassing the queue.
  std::vector<DeliveryReport> test_notify();

  // Called after each change of the state (queue entry added, delivered, deferred).
  void on_change(std::function<void(const WatchdogFile&)> persist) {
    m_persist = std::move(persist);
  }

  const WatchdogSettings& settings() const { return m_settings; }

private:
  void deliver_due(WatchdogFile& file, RunReport& report);
  void beat(const Observation& observation, RunReport& report, bool silenced);
  void enqueue(WatchdogFile& file, const Notification& notification, RunReport& report);
  Notifier* find_notifier(const std::string& key);
  void persist(const WatchdogFile& file);

  WatchdogSettings m_settings;
  std::vector<std::unique_ptr<Notifier>> m_notifiers;
  const util::Clock& m_clock;
  Sleeper m_sleeper;
  std::function<void(const WatchdogFile&)> m_persist;
};

} // namespace homectl::watchdog
