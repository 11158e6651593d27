#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// The typed, validated configuration every other area reads. It is produced by
// the settings table (settings.hpp) from file + environment + flags; a
// default-constructed Config equals the built-in defaults (loopback, no Redis,
// no sources), so `homectl serve` needs no file at all.
namespace homectl::config {

using Duration = std::chrono::milliseconds;

// An event rate such as "60/m": `count` events per `period`.
struct Rate {
  std::uint32_t count = 0;
  Duration period{1000};
  double per_second() const {
    return period.count() > 0 ? count * 1000.0 / static_cast<double>(period.count()) : 0.0;
  }
  bool operator==(const Rate&) const = default;
};

// Where to listen: a host (name or IP literal, without brackets) and a port.
struct ListenAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  bool operator==(const ListenAddress&) const = default;
};

enum class LogLevel { trace, debug, info, warn, error, off };
enum class LogFormat { json, text, automatic };
enum class AccessLog { all, errors, off };

struct ServerConfig {
  ListenAddress listen;
  int threads = 1;
  std::string api_token; // secret; empty = no auth
  Duration header_timeout{10'000};
  Duration idle_timeout{60'000};
  Duration write_timeout{10'000};
  std::size_t max_header_size = std::size_t{16} * 1024;
  std::size_t max_body_size = std::size_t{64} * 1024;
  int max_connections = 1024;
  Duration drain_timeout{10'000};
  bool ui = true;
  // Host names the API answers to besides IP literals, localhost and the
  // machine's name; "*" = any (turns the DNS-rebinding check off).
  std::vector<std::string> allowed_hosts;
  bool operator==(const ServerConfig&) const = default;
};

struct LogConfig {
  LogLevel level = LogLevel::info;
  LogFormat format = LogFormat::json;
  std::string file; // empty = stdout
  std::size_t max_size = std::size_t{10} * 1024 * 1024;
  int max_files = 3;
  AccessLog access = AccessLog::errors;
  Duration slow_request{1000}; // access-log requests slower than this in "errors" mode
  bool operator==(const LogConfig&) const = default;
};

struct CacheConfig {
  std::size_t max_size = std::size_t{64} * 1024 * 1024;
  bool operator==(const CacheConfig&) const = default;
};

struct RedisConfig {
  std::string url; // secret (may hold a password); empty = no Redis
  bool required = false;
  std::string prefix = "homectl:";
  Duration max_ttl{7LL * 24 * 3600 * 1000};
  std::size_t max_value_size = std::size_t{1024} * 1024;
  Duration connect_timeout{2000};
  Duration command_timeout{1000};
  bool operator==(const RedisConfig&) const = default;
};

// Fetch policy shared by `defaults` and every source (a source inherits what it
// does not set).
struct FetchPolicy {
  Duration ttl{5LL * 60 * 1000};
  std::optional<Duration> refresh = Duration{15LL * 60 * 1000}; // nullopt = "off"
  Duration stale_while_revalidate{3600LL * 1000};
  Duration stale_if_error{24LL * 3600 * 1000};
  Duration timeout{5000};
  int retries = 2;
  Duration retry_backoff{200};
  int breaker_failures = 5;
  Duration breaker_open{30'000};
  std::size_t max_size = std::size_t{1024} * 1024;
  bool follow_redirects = false;
  bool tls_verify = true;
  bool revalidate = true; // conditional refreshes with the upstream's ETag / Last-Modified
  bool operator==(const FetchPolicy&) const = default;
};

// One of a source's `values`: where the number is (a JSON Pointer into the
// picked body) and how Home Assistant should show it (all optional).
struct ValueSpec {
  ValueSpec() = default;
  // The string form of `values`: a pointer alone.
  ValueSpec(std::string json_pointer) : pointer(std::move(json_pointer)) {}
  ValueSpec(const char* json_pointer) : pointer(json_pointer) {}

  std::string pointer;
  std::string unit;         // e.g. "°C"; empty = none
  std::string device_class; // e.g. "temperature"; [a-z_]
  std::string state_class;  // e.g. "measurement"; [a-z_]

  // True when only the pointer is set (shown in the string form).
  bool pointer_only() const { return unit.empty() && device_class.empty() && state_class.empty(); }
  bool operator==(const ValueSpec&) const = default;
};

struct SourceConfig {
  std::string name; // [a-z0-9][a-z0-9_-]{0,63}
  std::string url;  // http:// or https://; may hold secrets in userinfo/query
  // A command source instead of `url` (exactly one of them is set): an
  // absolute program path and its arguments, run without a shell; stdout is
  // the body. `env` is added to a minimal environment; its values are secret.
  std::vector<std::string> command;
  std::map<std::string, std::string> env;
  std::string content_type; // overrides the body's Content-Type when set
  std::string method = "GET";
  std::map<std::string, std::string> headers; // values are secret in output
  std::string body;
  FetchPolicy policy;
  std::vector<std::string> pick; // JSON Pointers
  // Numbers read from the (picked) body and exported as metrics: value name
  // ([a-z_][a-z0-9_]*, at most 32) -> JSON Pointer and how to show it.
  std::map<std::string, ValueSpec> values;
  bool required = false;
  std::optional<Rate> rate_limit; // nullopt = unlimited
  std::string ca_file;
  bool operator==(const SourceConfig&) const = default;
};

// An inbound token bucket: `rate` refill (nullopt = off/unlimited), `burst` capacity.
struct LimitConfig {
  std::optional<Rate> rate;
  int burst = 0;
  bool operator==(const LimitConfig&) const = default;
};

struct LimitsConfig {
  LimitConfig default_class{std::nullopt, 60};
  LimitConfig refresh{Rate{60, Duration{60'000}}, 30};
  bool operator==(const LimitsConfig&) const = default;
};

enum class NotifierType { ntfy, gotify, webhook, command, heartbeat };

struct NotifierConfig {
  NotifierType type = NotifierType::webhook;
  std::string url;                            // ntfy topic URL, gotify base URL, webhook URL,
                                              // heartbeat ping URL
  std::string token;                          // secret: ntfy Bearer token, gotify app token
  std::map<std::string, std::string> headers; // extra headers (webhook, ntfy)
  std::vector<std::string> argv;              // command
  int priority = 0;                           // 0 = the notifier's default
  Duration timeout{10'000};
  std::string fail_url; // heartbeat: pinged after a check that finds the daemon down
  bool operator==(const NotifierConfig&) const = default;
};

// Which sources the watchdog tracks one by one (`watchdog.sources`):
// "required" (only the daemon's readiness, which required sources already
// fail), "all" the daemon reports, or the named ones.
struct WatchedSources {
  enum class Mode { required, all, list };
  Mode mode = Mode::required;
  std::vector<std::string> names; // Mode::list: source names, in the order given
  bool operator==(const WatchedSources&) const = default;
};

// The most sources `watchdog.sources` may name (and the watchdog tracks).
inline constexpr std::size_t k_max_watched_sources = 256;

struct WatchdogConfig {
  std::string url; // empty = http:// + server.listen
  Duration interval{60'000};
  int failure_threshold = 3;
  int success_threshold = 2;
  std::optional<Duration> remind_every; // nullopt = off
  std::vector<NotifierConfig> notify;
  WatchedSources sources;
  bool operator==(const WatchdogConfig&) const = default;
};

// The in-memory history behind /v1/history: one reading per series per
// interval, kept for `retention` (at most k_max_intervals per series).
struct HistoryConfig {
  static constexpr std::int64_t k_max_intervals = 20'160;
  bool enabled = true;
  Duration interval{60'000};
  Duration retention{48LL * 3600 * 1000};
  std::size_t max_size = std::size_t{16} * 1024 * 1024;
  // The intervals kept per series.
  std::size_t intervals() const {
    const auto wanted = interval.count() > 0 ? retention.count() / interval.count() : 1;
    return static_cast<std::size_t>(std::clamp<std::int64_t>(wanted, 1, k_max_intervals));
  }
  bool operator==(const HistoryConfig&) const = default;
};

// MQTT: source states and events pushed to a broker, refresh commands read
// from it, and Home Assistant discovery.
struct MqttConfig {
  std::string url;       // mqtt:// or mqtts://; userinfo is secret; empty = off
  std::string client_id; // empty = "homectl-<hostname>"
  std::string prefix = "homectl";
  bool discovery = true;
  std::string discovery_prefix = "homeassistant";
  bool required = false;
  int max_queue = 1000; // outgoing messages held while disconnected
  std::string ca_file;  // mqtts: extra trusted CAs (PEM); empty = the system's
  bool operator==(const MqttConfig&) const = default;
};

struct Config {
  ServerConfig server;
  LogConfig log;
  CacheConfig cache;
  RedisConfig redis;
  FetchPolicy defaults;
  std::vector<SourceConfig> sources; // sorted by name
  LimitsConfig limits;
  WatchdogConfig watchdog;
  HistoryConfig history;
  MqttConfig mqtt;
  bool operator==(const Config&) const = default;

  const SourceConfig* find_source(const std::string& name) const {
    for (const auto& s : sources) {
      if (s.name == name) {
        return &s;
      }
    }
    return nullptr;
  }
};

} // namespace homectl::config
