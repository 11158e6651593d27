#pragma once

#include "homectl/config/config.hpp"

#include <cstddef>
#include <string>
#include <string_view>

// How a notifier is named in output, in errors and in the state file, and how
// its URL is split for sending: the URL's user:password@, path and query may
// hold secrets (a Home Assistant webhook id, an ntfy topic, a token), so only
// its host and port are ever shown.
namespace homectl::watchdog {

// A notifier URL taken apart.
struct NotifierUrl {
  std::string url;      // what is requested: the URL without user:password@
  std::string username; // percent-decoded userinfo, sent as HTTP Basic auth (secret)
  std::string password; // (secret)
  std::string host;     // "host" or "host:port" as written, lower-case; "" when there is none
};

// Splits an http(s) URL; never fails (a URL without a host gives host "").
NotifierUrl split_notifier_url(std::string_view url);

// The notifier's name: its type, its 1-based position among the notifiers of
// that type, and the host it sends to: "webhook#2 ha.lan:8123", "ntfy#1
// ntfy.sh", "command#1" (no argv). Queued deliveries are keyed by it.
std::string notifier_label(config::NotifierType type, std::size_t position, std::string_view url);

// True when `key` has the shape notifier_label() gives; older versions keyed
// queued deliveries by the whole URL or argv, which may hold secrets.
bool is_notifier_label(std::string_view key);

} // namespace homectl::watchdog
