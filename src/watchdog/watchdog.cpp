#include "homectl/watchdog/watchdog.hpp"

#include "homectl/client/http_client.hpp"
#include "homectl/client/readiness.hpp"
#include "homectl/util/json.hpp"
#include "homectl/watchdog/message.hpp"
#include "homectl/watchdog/silence.hpp"
#include "homectl/watchdog/source_tracking.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace homectl::watchdog {
namespace {

// What one notification may carry from the daemon's answer: every queued copy
// is kept in the state file, which must stay well under k_max_state_file_size.
constexpr std::size_t k_max_checks_size = 8 * 1024;
constexpr std::size_t k_max_message_size = 1024;
// Deliveries kept queued at most; the oldest go first.
constexpr std::size_t k_max_queued = 32;
// What one notification carries of the source changes: at most this many
// lines and bytes of lines; the rest is counted ("and 3 more source changes").
constexpr std::size_t k_max_changes_per_notification = 64;
constexpr std::size_t k_max_change_bytes = 8 * 1024;

std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The daemon's checks as JSON text; only the failing ones when all of them
// are too large, none when even those are.
std::string checks_of(const client::HealthReport& report) {
  const auto parsed = util::parse_json(report.body);
  if (!parsed || !parsed->is_object()) {
    return {};
  }
  const auto& doc = *parsed;
  auto it = doc.find("checks");
  if (it == doc.end() || !it->is_object()) {
    return {};
  }
  std::string all = dump(*it);
  if (all.size() <= k_max_checks_size) {
    return all;
  }
  auto failing = nlohmann::json::object();
  for (const auto& [name, entries] : it->items()) {
    const bool fails = !entries.is_array() ||
                       std::any_of(entries.begin(), entries.end(), [](const nlohmann::json& e) {
                         return !e.is_object() || e.value("status", "") != "pass";
                       });
    if (fails) {
      failing[name] = entries;
    }
  }
  std::string some = dump(failing);
  return some.size() <= k_max_checks_size ? some : std::string{};
}

// Cuts `text` to `limit` bytes on a UTF-8 character boundary, marking the cut.
std::string bounded(std::string text, std::size_t limit) {
  if (text.size() <= limit) {
    return text;
  }
  std::size_t end = limit - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  text.resize(end);
  return text + "...";
}

} // namespace

bool RunReport::delivery_failed() const {
  const auto failed = [](const DeliveryReport& d) { return !d.result.ok && !d.unconfigured; };
  return std::any_of(deliveries.begin(), deliveries.end(), failed) ||
         std::any_of(heartbeats.begin(), heartbeats.end(), failed);
}

Watchdog::Watchdog(WatchdogSettings settings, std::vector<std::unique_ptr<Notifier>> notifiers,
                   const util::Clock& clock, Sleeper sleeper)
    : m_settings(std::move(settings)), m_notifiers(std::move(notifiers)), m_clock(clock),
      m_sleeper(std::move(sleeper)) {}

Observation Watchdog::observe() {
  client::HttpClient http(client::ClientOptions{m_settings.url, m_settings.token,
                                                m_settings.timeout, m_settings.timeout});
  const auto probe = client::probe_ready(http);
  Observation observation;
  switch (probe.state) {
  case client::NagiosState::ok:
  case client::NagiosState::warning:
    observation.state = DaemonState::up;
    break;
  case client::NagiosState::critical:
    observation.state = DaemonState::down;
    break;
  case client::NagiosState::unknown:
    observation.state = DaemonState::unreachable;
    break;
  }
  observation.message = probe.text;
  if (probe.report) {
    observation.checks_json = checks_of(*probe.report);
    observation.sources = source_readings(probe.report->body);
    observation.sources_seen = true;
  }
  if (observation.state == DaemonState::down) {
    // /health has the whole story (every check); use it when it answers.
    auto health = http.get("/health", {{"Accept", "application/health+json"}});
    if (health) {
      auto report = client::parse_health_report(health.response->body);
      if (report) {
        const auto trouble = report->trouble_summary();
        if (!trouble.empty()) {
          observation.message = "not ready: " + trouble;
        }
        observation.checks_json = checks_of(*report);
        observation.sources = source_readings(report->body);
        observation.sources_seen = true;
      }
    }
  }
  observation.message = bounded(std::move(observation.message), k_max_message_size);
  return observation;
}

RunReport Watchdog::run_once(WatchdogFile& file) {
  return apply(file, observe());
}

namespace {

// The run's changes as one notification: the daemon's (if any) with the
// source changes attached, or the source changes alone.
std::optional<Notification> group(std::optional<Notification> daemon,
                                  std::vector<SourceChange> changes, const WatchdogFile& file,
                                  const Observation& observation) {
  if (!daemon && changes.empty()) {
    return std::nullopt;
  }
  Notification n;
  if (daemon) {
    n = std::move(*daemon);
  } else {
    n.daemon_changed = false;
    n.state = file.machine.reported;
    n.previous = file.machine.reported;
    n.since = file.machine.since;
    n.checks_json = observation.checks_json;
  }
  n.sources = std::move(changes);
  return n;
}

// Keeps a notification's source changes within what one notification
// carries (and the state file holds, once per notifier).
void bound_changes(Notification& n) {
  std::size_t bytes = 0;
  std::size_t kept = 0;
  for (; kept < n.sources.size() && kept < k_max_changes_per_notification; ++kept) {
    bytes += n.sources[kept].message.size();
    if (bytes > k_max_change_bytes) {
      break;
    }
  }
  n.sources_left_out += n.sources.size() - kept;
  n.sources.resize(kept);
}

} // namespace

RunReport Watchdog::apply(WatchdogFile& file, const Observation& observation) {
  RunReport report;
  report.observation = observation;
  const auto now = m_clock.wall();
  const auto before = file.machine;
  const auto before_sources = file.sources;
  const bool had_silence = file.silence.has_value();

  auto daemon = step(file.machine, observation, now, m_settings.thresholds);
  if (daemon && !daemon->reminder) {
    daemon->previous_since = before.since;
  }
  sync_tracks(file.sources, m_settings.sources, observation);
  auto changes = step_sources(file.sources, observation, now, m_settings.thresholds);
  report.source_changes = changes.size();

  const bool silenced = is_silenced(file, now);
  if (silenced) {
    // Recorded by the machines above, not sent; the summary comes at the end.
    report.silenced_until = file.silence->until;
    report.held = (daemon ? 1 : 0) + changes.size();
  } else if (file.silence) {
    report.notification = silence_summary(file, *file.silence);
    file.silence.reset();
    report.silence_ended = true;
  } else {
    report.notification = group(std::move(daemon), std::move(changes), file, observation);
  }
  if (report.notification) {
    bound_changes(*report.notification);
    enqueue(file, *report.notification, report);
  }
  if (report.notification || !(before == file.machine) || !(before_sources == file.sources) ||
      had_silence != file.silence.has_value()) {
    persist(file);
  }
  deliver_due(file, report);
  report.still_queued = file.queue.size();
  beat(observation, report, silenced);
  return report;
}

void Watchdog::enqueue(WatchdogFile& file, const Notification& notification, RunReport& report) {
  const auto now = m_clock.wall();
  for (const auto& notifier : m_notifiers) {
    if (notifier->is_heartbeat()) {
      continue;
    }
    PendingDelivery d;
    d.id = file.next_id++;
    d.notifier = notifier->key();
    d.notification = notification;
    d.created = now;
    d.next_attempt = now;
    file.queue.push_back(std::move(d));
  }
  const auto drop_oldest = [&](const std::string& why) {
    const auto& oldest = file.queue.front();
    DeliveryReport dropped{oldest.notifier, {}, false, true};
    dropped.result.detail = why;
    report.deliveries.push_back(std::move(dropped));
    file.queue.erase(file.queue.begin());
  };
  while (file.queue.size() > k_max_queued) {
    drop_oldest("more than " + std::to_string(k_max_queued) +
                " notifications queued; the oldest is dropped");
  }
  // The state file has a size cap; the queue gives way, oldest first.
  while (file.queue.size() > 1 && serialize_state(file).size() > k_max_state_file_size) {
    drop_oldest("the queued notifications outgrow the state file; the oldest is dropped");
  }
}

void Watchdog::beat(const Observation& observation, RunReport& report, bool silenced) {
  for (const auto& notifier : m_notifiers) {
    if (!notifier->is_heartbeat()) {
      continue;
    }
    if (auto sent = notifier->beat(observation.state, silenced)) {
      report.heartbeats.push_back(DeliveryReport{notifier->key(), std::move(*sent), false, false});
    }
  }
}

void Watchdog::deliver_due(WatchdogFile& file, RunReport& report) {
  std::size_t i = 0;
  while (i < file.queue.size()) {
    auto& d = file.queue[i];
    const auto now = m_clock.wall();
    Notifier* notifier = find_notifier(d.notifier);
    if (notifier == nullptr || now - d.created > m_settings.max_age) {
      DeliveryReport dropped{d.notifier, {}, false, true};
      dropped.unconfigured = notifier == nullptr;
      dropped.result.detail = notifier == nullptr ? "notifier no longer configured"
                                                  : "undelivered for too long: " + d.last_error;
      report.deliveries.push_back(std::move(dropped));
      file.queue.erase(file.queue.begin() + static_cast<std::ptrdiff_t>(i));
      persist(file);
      continue;
    }
    if (d.next_attempt > now) {
      ++i;
      continue;
    }
    DeliveryResult result;
    std::optional<std::chrono::milliseconds> defer_for;
    for (int attempt = 0; attempt < m_settings.attempts_per_run; ++attempt) {
      result = notifier->deliver(d.notification, m_settings.url);
      ++d.attempts;
      if (result.ok) {
        break;
      }
      d.last_error = result.detail;
      if (result.retry_after) {
        const std::chrono::milliseconds wait = *result.retry_after;
        if (wait > m_settings.max_inline_wait) {
          defer_for = wait;
          break;
        }
        if (attempt + 1 < m_settings.attempts_per_run) {
          m_sleeper(wait);
        }
        continue;
      }
      if (attempt + 1 < m_settings.attempts_per_run) {
        m_sleeper(m_settings.retry_base * (1 << attempt));
      }
    }
    if (result.ok) {
      report.deliveries.push_back(DeliveryReport{d.notifier, result, false, false});
      file.queue.erase(file.queue.begin() + static_cast<std::ptrdiff_t>(i));
      persist(file);
      continue;
    }
    // Due again on the next run, unless the receiver asked for a longer pause.
    d.next_attempt = m_clock.wall() + defer_for.value_or(std::chrono::milliseconds(0));
    report.deliveries.push_back(DeliveryReport{d.notifier, result, true, false});
    persist(file);
    ++i;
  }
}

std::vector<DeliveryReport> Watchdog::test_notify() {
  Notification n;
  n.test = true;
  n.state = DaemonState::unknown;
  n.previous = DaemonState::unknown;
  n.since = m_clock.wall();
  n.message = "Test notification from homectl watchdog for " + m_settings.url;
  std::vector<DeliveryReport> out;
  for (const auto& notifier : m_notifiers) {
    out.push_back(
        DeliveryReport{notifier->key(), notifier->deliver(n, m_settings.url), false, false});
  }
  return out;
}

Notifier* Watchdog::find_notifier(const std::string& key) {
  for (const auto& notifier : m_notifiers) {
    if (notifier->key() == key) {
      return notifier.get();
    }
  }
  return nullptr;
}

void Watchdog::persist(const WatchdogFile& file) {
  if (m_persist) {
    m_persist(file);
  }
}

} // namespace homectl::watchdog
