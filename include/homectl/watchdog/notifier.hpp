#pragma once

#include "homectl/config/config.hpp"
#include "homectl/watchdog/state_machine.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

// Where the watchdog sends its notifications: ntfy, Gotify, a JSON webhook or
// a local command. Each delivery is one attempt; retrying is the queue's job.
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
  // A stable identity ("ntfy https://ntfy.sh/my-home") used to match queued
  // deliveries with the configured notifier; never contains a secret.
  virtual std::string key() const = 0;
  // Sends one notification; the daemon URL is the one being watched.
  virtual DeliveryResult deliver(const Notification& notification,
                                 const std::string& daemon_url) = 0;
};

// Builds the notifier a `watchdog.notify` entry describes.
std::unique_ptr<Notifier> make_notifier(const config::NotifierConfig& config);

// The lower-case notifier type name ("ntfy", "gotify", "webhook", "command").
std::string_view to_string(config::NotifierType type);

// The webhook document: {"v":1,"state","previous","since","url","checks","message"}.
std::string webhook_body(const Notification& notification, const std::string& daemon_url);

// Runs argv (no shell) with HOMECTL_STATE/PREVIOUS/MESSAGE/SINCE/URL in the
// environment; kills it (its whole process group) after `timeout`.
DeliveryResult run_command(const std::vector<std::string>& argv, const Notification& notification,
                           const std::string& daemon_url, std::chrono::milliseconds timeout);

} // namespace homectl::watchdog
