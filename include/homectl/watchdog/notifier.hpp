#pragma once

#include "homectl/config/config.hpp"
#include "homectl/watchdog/state_machine.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// Where the watchdog sends its notifications: ntfy, Gotify, a JSON webhook or
// a local command. Each delivery is one attempt; retrying is the queue's job.
// A heartbeat is told about every check instead of about changes, so a
// service such as healthchecks.io or an Uptime Kuma push monitor notices when
// the checks stop (the watchdog or the machine died).
namespace homectl::watchdog {

// The outcome of one delivery attempt.
struct DeliveryResult {
  bool ok = false;
  std::string detail;                              // "HTTP 200", "exit status 3", ...
  std::optional<std::chrono::seconds> retry_after; // from a 429 answer
};

class Notifier {
public:
  virtual ~Notifier() = default;
  // A stable identity ("ntfy#1 ntfy.sh", see notifier_label()) used to show
  // the notifier and to match queued deliveries with it; never contains a secret.
  virtual std::string key() const = 0;
  // Sends one notification; the daemon URL is the one being watched.
  virtual DeliveryResult deliver(const Notification& notification,
                                 const std::string& daemon_url) = 0;
  // True for a heartbeat: it gets beat() after every check, never a queued notification.
  virtual bool is_heartbeat() const { return false; }
  // Heartbeat: reports one check's finding; nullopt when there is nothing to
  // send for it (down without a fail_url). While `silenced` it only says the
  // watchdog is alive: the success URL, whatever was found.
  virtual std::optional<DeliveryResult> beat(DaemonState /*found*/, bool /*silenced*/) {
    return std::nullopt;
  }
};

// Builds the notifier a `watchdog.notify` entry describes, named `label`.
std::unique_ptr<Notifier> make_notifier(const config::NotifierConfig& config, std::string label);

// Builds every notifier of `watchdog.notify`, each named by notifier_label().
std::vector<std::unique_ptr<Notifier>>
make_notifiers(const std::vector<config::NotifierConfig>& configs);

// The lower-case notifier type name ("ntfy", "gotify", "webhook", "command", "heartbeat").
std::string_view to_string(config::NotifierType type);

// The webhook document: {"v":1,"state","previous","since","url","checks","message"},
// and "sources": [{"source","state","since","message"}] for the source changes
// ([] when only the daemon changed).
std::string webhook_body(const Notification& notification, const std::string& daemon_url);

// The "sources" array of the webhook document (and of HOMECTL_SOURCES_JSON):
// [{"source","state" ("failing" or "ok"),"since","message"}].
nlohmann::json sources_json(const Notification& notification);

// Runs argv (no shell) with HOMECTL_STATE/PREVIOUS/MESSAGE/SINCE/URL/TITLE/
// REMINDER/SOURCES/SOURCES_JSON in the environment, stdin and stdout on /dev/null, stderr inherited
// and no other descriptor; kills it (its whole process group) after `timeout`.
DeliveryResult run_command(const std::vector<std::string>& argv, const Notification& notification,
                           const std::string& daemon_url, std::chrono::milliseconds timeout);

} // namespace homectl::watchdog
