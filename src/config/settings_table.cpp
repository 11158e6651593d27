#include "homectl/config/settings.hpp"

#include <array>
#include <type_traits>

// The rows of the settings table. Kept apart from the code that interprets
// them (settings.cpp) so this file reads like documentation.
namespace homectl::config {
namespace {

template <typename>
struct MemberTraits;
template <typename Owner, typename T>
struct MemberTraits<T Owner::*> {
  using owner = Owner;
};

template <typename T>
void assign(T& field, const Value& value) {
  if constexpr (std::is_enum_v<T> || std::is_same_v<T, int>) {
    field = static_cast<T>(std::get<std::int64_t>(value));
  } else {
    field = std::get<T>(value);
  }
}

template <typename T>
Value extract(const T& field) {
  if constexpr (std::is_enum_v<T> || std::is_same_v<T, int>) {
    return static_cast<std::int64_t>(field);
  } else {
    return Value{field};
  }
}

template <auto First, auto... Rest>
void set_chain(void* target, const Value& value) {
  using Root = typename MemberTraits<decltype(First)>::owner;
  auto& root = *static_cast<Root*>(target);
  assign(((root.*First).*....*Rest), value);
}

template <auto First, auto... Rest>
Value get_chain(const void* target) {
  using Root = typename MemberTraits<decltype(First)>::owner;
  const auto& root = *static_cast<const Root*>(target);
  return extract(((root.*First).*....*Rest));
}

// Optional attributes of a row.
struct Extra {
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
  std::span<const std::string_view> enum_values = {};
  bool secret = false;
  bool reloadable = false;
  bool secret_path = false;
};

template <auto... Members>
Setting row(Scope scope, std::string_view key, SettingType type, std::string_view doc,
            Extra extra = {}) {
  return Setting{scope,
                 key,
                 type,
                 doc,
                 extra.min,
                 extra.max,
                 extra.enum_values,
                 extra.secret,
                 extra.reloadable,
                 extra.secret_path,
                 &set_chain<Members...>,
                 &get_chain<Members...>};
}

constexpr std::int64_t k_second = 1000;
constexpr std::int64_t k_minute = 60 * k_second;
constexpr std::int64_t k_hour = 60 * k_minute;
constexpr std::int64_t k_day = 24 * k_hour;
constexpr std::int64_t k_kib = 1024;
constexpr std::int64_t k_mib = 1024 * k_kib;
constexpr std::int64_t k_gib = 1024 * k_mib;

constexpr std::array<std::string_view, 6> k_log_levels{"trace", "debug", "info",
                                                       "warn",  "error", "off"};
constexpr std::array<std::string_view, 3> k_log_formats{"json", "text", "auto"};
constexpr std::array<std::string_view, 3> k_access_modes{"all", "errors", "off"};
constexpr std::array<std::string_view, 5> k_notifier_types{"ntfy", "gotify", "webhook", "command",
                                                           "heartbeat"};
constexpr std::array<std::string_view, 5> k_methods{"GET", "POST", "PUT", "PATCH", "HEAD"};

using T = SettingType;
constexpr Scope G = Scope::global;
constexpr Scope P = Scope::policy;
constexpr Scope S = Scope::source;
constexpr Scope N = Scope::notifier;

std::vector<Setting> build_table() {
  return {
      // server
      row<&Config::server, &ServerConfig::listen>(
          G, "server.listen", T::listen,
          "Address and port of the HTTP API (host:port or [::1]:port; port 0 picks a free port)"),
      row<&Config::server, &ServerConfig::threads>(
          G, "server.threads", T::integer, "Threads running the event loop", {.min = 1, .max = 64}),
      row<&Config::server, &ServerConfig::api_token>(
          G, "server.api_token", T::string,
          "Bearer token required for POST routes and /diagnostics; empty = no authentication",
          {.secret = true, .reloadable = true}),
      row<&Config::server, &ServerConfig::header_timeout>(
          G, "server.header_timeout", T::duration,
          "Time a client has to send the request headers (slowloris guard)",
          {.min = 1, .max = k_hour, .reloadable = true}),
      row<&Config::server, &ServerConfig::idle_timeout>(
          G, "server.idle_timeout", T::duration,
          "Idle keep-alive connections are closed after this",
          {.min = 1, .max = k_day, .reloadable = true}),
      row<&Config::server, &ServerConfig::write_timeout>(
          G, "server.write_timeout", T::duration,
          "A client that takes no data for this long while a response or event is written "
          "is disconnected",
          {.min = 1, .max = k_hour, .reloadable = true}),
      row<&Config::server, &ServerConfig::max_header_size>(
          G, "server.max_header_size", T::size, "Largest accepted request header block (else 431)",
          {.min = 1 * k_kib, .max = 1 * k_mib, .reloadable = true}),
      row<&Config::server, &ServerConfig::max_body_size>(
          G, "server.max_body_size", T::size, "Largest accepted request body (else 413)",
          {.min = 0, .max = 64 * k_mib, .reloadable = true}),
      row<&Config::server, &ServerConfig::max_connections>(
          G, "server.max_connections", T::integer, "Most simultaneous client connections",
          {.min = 1, .max = 1'000'000, .reloadable = true}),
      row<&Config::server, &ServerConfig::drain_timeout>(
          G, "server.drain_timeout", T::duration,
          "On shutdown, how long in-flight requests may take to finish",
          {.min = 0, .max = k_hour, .reloadable = true}),
      row<&Config::server, &ServerConfig::ui>(G, "server.ui", T::boolean,
                                              "Serve the status page at /", {.reloadable = true}),
      row<&Config::server, &ServerConfig::allowed_hosts>(
          G, "server.allowed_hosts", T::string_list,
          "Host names the API answers to besides IP addresses, localhost and this machine's "
          "name (else 421, a defence against DNS rebinding); [\"*\"] = any name",
          {.reloadable = true}),
      // log
      row<&Config::log, &LogConfig::level>(G, "log.level", T::enumeration,
                                           "Least severe level logged",
                                           {.enum_values = k_log_levels, .reloadable = true}),
      row<&Config::log, &LogConfig::format>(
          G, "log.format", T::enumeration,
          "Log line format: json, text, or auto (text on a terminal, JSON otherwise)",
          {.enum_values = k_log_formats}),
      row<&Config::log, &LogConfig::file>(G, "log.file", T::string,
                                          "Log file path; empty = standard output"),
      row<&Config::log, &LogConfig::max_size>(G, "log.max_size", T::size,
                                              "Rotate the log file when it reaches this size",
                                              {.min = 4 * k_kib, .max = 4 * k_gib}),
      row<&Config::log, &LogConfig::max_files>(G, "log.max_files", T::integer,
                                               "Rotated log files kept", {.min = 1, .max = 100}),
      row<&Config::log, &LogConfig::access>(
          G, "log.access", T::enumeration,
          "Access log: all requests, only errors and slow requests, or off",
          {.enum_values = k_access_modes, .reloadable = true}),
      row<&Config::log, &LogConfig::slow_request>(
          G, "log.slow_request", T::duration,
          "In \"errors\" access-log mode, also log requests slower than this",
          {.min = 1, .max = k_hour, .reloadable = true}),
      // cache
      row<&Config::cache, &CacheConfig::max_size>(
          G, "cache.max_size", T::size,
          "Memory for cached bodies; least recently used entries are evicted beyond it",
          {.min = 64 * k_kib, .max = 64 * k_gib, .reloadable = true}),
      // history
      row<&Config::history, &HistoryConfig::enabled>(
          G, "history.enabled", T::boolean,
          "Keep an in-memory history of requests, refreshes and values (GET /v1/history)",
          {.reloadable = true}),
      row<&Config::history, &HistoryConfig::interval>(
          G, "history.interval", T::duration, "How often the history records a reading",
          {.min = k_second, .max = k_hour, .reloadable = true}),
      row<&Config::history, &HistoryConfig::retention>(
          G, "history.retention", T::duration,
          "How far back the history goes (at most 20160 intervals); lost on restart",
          {.min = k_second, .max = 7 * k_day, .reloadable = true}),
      row<&Config::history, &HistoryConfig::max_size>(
          G, "history.max_size", T::size,
          "Memory for the history; series that would pass it are not kept",
          {.min = 64 * k_kib, .max = k_gib, .reloadable = true}),
      // redis
      row<&Config::redis, &RedisConfig::url>(
          G, "redis.url", T::redis_url,
          "Redis for events and the shared cache: redis://[user:password@]host[:port][/db] or "
          "unix:///path; empty = no Redis",
          {.secret = true}),
      row<&Config::redis, &RedisConfig::required>(G, "redis.required", T::boolean,
                                                  "Report not ready while Redis is unreachable",
                                                  {.reloadable = true}),
      row<&Config::redis, &RedisConfig::prefix>(G, "redis.prefix", T::string,
                                                "Prefix of every Redis key and channel"),
      row<&Config::redis, &RedisConfig::max_ttl>(G, "redis.max_ttl", T::duration,
                                                 "Upper bound of the TTL of any Redis key",
                                                 {.min = k_second, .max = 365 * k_day}),
      row<&Config::redis, &RedisConfig::max_value_size>(
          G, "redis.max_value_size", T::size, "Larger cache entries are kept out of Redis",
          {.min = 1, .max = 512 * k_mib}),
      row<&Config::redis, &RedisConfig::connect_timeout>(G, "redis.connect_timeout", T::duration,
                                                         "Time allowed to connect to Redis",
                                                         {.min = 1, .max = k_minute}),
      row<&Config::redis, &RedisConfig::command_timeout>(G, "redis.command_timeout", T::duration,
                                                         "Time allowed for one Redis command",
                                                         {.min = 1, .max = k_minute}),
      // fetch policy: defaults.* and sources.<name>.*
      row<&FetchPolicy::ttl>(P, "ttl", T::duration, "How long a fetched value is fresh",
                             {.min = 0, .max = 365 * k_day, .reloadable = true}),
      row<&FetchPolicy::refresh>(P, "refresh", T::duration_or_off,
                                 "Refresh period (at least 1s), or \"off\" to fetch only on demand",
                                 {.min = 0, .max = 365 * k_day, .reloadable = true}),
      row<&FetchPolicy::stale_while_revalidate>(
          P, "stale_while_revalidate", T::duration,
          "After expiry, serve the stale value this long while refreshing in the background",
          {.min = 0, .max = 365 * k_day, .reloadable = true}),
      row<&FetchPolicy::stale_if_error>(
          P, "stale_if_error", T::duration,
          "After expiry, serve the stale value this long while refreshes fail "
          "(at least stale_while_revalidate)",
          {.min = 0, .max = 365 * k_day, .reloadable = true}),
      row<&FetchPolicy::timeout>(P, "timeout", T::duration,
                                 "Overall deadline of one fetch, retries included",
                                 {.min = 1, .max = 10 * k_minute, .reloadable = true}),
      row<&FetchPolicy::retries>(P, "retries", T::integer, "Retries after a failed attempt",
                                 {.min = 0, .max = 10, .reloadable = true}),
      row<&FetchPolicy::retry_backoff>(
          P, "retry_backoff", T::duration,
          "Base of the jittered exponential retry backoff, and the wait "
          "before stale reads retry a failed refresh (doubling up "
          "to breaker_open)",
          {.min = 1, .max = k_minute, .reloadable = true}),
      row<&FetchPolicy::breaker_failures>(P, "breaker_failures", T::integer,
                                          "Consecutive failures that open the circuit breaker",
                                          {.min = 1, .max = 1000, .reloadable = true}),
      row<&FetchPolicy::breaker_open>(
          P, "breaker_open", T::duration,
          "How long the breaker stays open before a probe (grows with repeated failures)",
          {.min = k_second, .max = k_day, .reloadable = true}),
      row<&FetchPolicy::max_size>(P, "max_size", T::size, "Largest accepted upstream body",
                                  {.min = 1, .max = 1 * k_gib, .reloadable = true}),
      row<&FetchPolicy::follow_redirects>(
          P, "follow_redirects", T::boolean,
          "Follow HTTP redirects (up to 5; one to another origin carries none of the headers)",
          {.reloadable = true}),
      row<&FetchPolicy::tls_verify>(P, "tls_verify", T::boolean,
                                    "Verify the upstream's TLS certificate and host name",
                                    {.reloadable = true}),
      row<&FetchPolicy::revalidate>(
          P, "revalidate", T::boolean,
          "Refresh with If-None-Match / If-Modified-Since when the upstream sent an ETag or "
          "Last-Modified; a 304 Not Modified renews the value without downloading it again",
          {.reloadable = true}),
      // source-only fields
      row<&SourceConfig::url>(S, "url", T::http_url,
                              "Upstream URL (http or https); this or command is required",
                              {.reloadable = true}),
      row<&SourceConfig::command>(
          S, "command", T::string_list,
          "Program and arguments run instead of fetching a URL (absolute path, no shell); its "
          "standard output is the body, a non-zero exit status a failed refresh",
          {.reloadable = true}),
      row<&SourceConfig::env>(
          S, "env", T::string_map,
          "Environment variables for command, added to PATH=/usr/bin:/bin and LANG=C.UTF-8 "
          "(values are treated as secrets)",
          {.secret = true, .reloadable = true}),
      row<&SourceConfig::content_type>(
          S, "content_type", T::string,
          "Content-Type served for the body; empty = the upstream's (for command: "
          "application/json when the output is JSON, else text/plain; charset=utf-8)",
          {.reloadable = true}),
      row<&SourceConfig::method>(S, "method", T::string, "HTTP method",
                                 {.enum_values = k_methods, .reloadable = true}),
      row<&SourceConfig::headers>(S, "headers", T::string_map,
                                  "Extra request headers (values are treated as secrets)",
                                  {.secret = true, .reloadable = true}),
      row<&SourceConfig::body>(S, "body", T::string, "Request body (for POST, PUT, PATCH)",
                               {.reloadable = true}),
      row<&SourceConfig::pick>(S, "pick", T::pointer_list,
                               "JSON Pointers that cut a JSON body down to what consumers need",
                               {.reloadable = true}),
      row<&SourceConfig::values>(
          S, "values", T::pointer_map,
          "Numbers read from the body (after pick) by JSON Pointer and exported as "
          "homectl_source_value{source,value} and over MQTT: a number, a boolean (1/0) or a "
          "string holding a decimal number; an entry is a pointer or an object {\"pointer\", "
          "\"unit\", \"device_class\", \"state_class\"} (the last three for Home Assistant)",
          {.max = 32, .reloadable = true}),
      row<&SourceConfig::required>(S, "required", T::boolean,
                                   "Readiness fails while this source has no servable value",
                                   {.reloadable = true}),
      row<&SourceConfig::rate_limit>(
          S, "rate_limit", T::rate_or_off,
          "Outbound request limit protecting an API quota; \"off\" = none", {.reloadable = true}),
      row<&SourceConfig::ca_file>(S, "ca_file", T::string,
                                  "PEM file of extra trusted CA certificates for this source",
                                  {.reloadable = true}),
      // limits
      row<&Config::limits, &LimitsConfig::default_class, &LimitConfig::rate>(
          G, "limits.default.rate", T::rate_or_off,
          "Per-client request rate on /v1 reads, /diagnostics and pages; \"off\" = unlimited",
          {.reloadable = true}),
      row<&Config::limits, &LimitsConfig::default_class, &LimitConfig::burst>(
          G, "limits.default.burst", T::integer, "Burst allowance of limits.default",
          {.min = 1, .max = 1'000'000, .reloadable = true}),
      row<&Config::limits, &LimitsConfig::refresh, &LimitConfig::rate>(
          G, "limits.refresh.rate", T::rate_or_off,
          "Per-client rate of POST refresh requests; \"off\" = unlimited", {.reloadable = true}),
      row<&Config::limits, &LimitsConfig::refresh, &LimitConfig::burst>(
          G, "limits.refresh.burst", T::integer, "Burst allowance of limits.refresh",
          {.min = 1, .max = 1'000'000, .reloadable = true}),
      // watchdog
      row<&Config::watchdog, &WatchdogConfig::url>(
          G, "watchdog.url", T::http_url,
          "Daemon URL the watchdog checks; empty = from server.listen"),
      row<&Config::watchdog, &WatchdogConfig::interval>(G, "watchdog.interval", T::duration,
                                                        "Check period of `homectl watchdog`",
                                                        {.min = k_second, .max = k_day}),
      row<&Config::watchdog, &WatchdogConfig::failure_threshold>(
          G, "watchdog.failure_threshold", T::integer,
          "Consecutive failed checks before \"down\" is announced", {.min = 1, .max = 100}),
      row<&Config::watchdog, &WatchdogConfig::success_threshold>(
          G, "watchdog.success_threshold", T::integer,
          "Consecutive good checks before \"up\" is announced", {.min = 1, .max = 100}),
      row<&Config::watchdog, &WatchdogConfig::remind_every>(
          G, "watchdog.remind_every", T::duration_or_off,
          "Repeat the alert while down (at least 5m), or \"off\"", {.min = 0, .max = 30 * k_day}),
      row<&Config::watchdog, &WatchdogConfig::sources>(
          G, "watchdog.sources", T::source_selection,
          "Sources the watchdog tracks one by one, with the same thresholds and reminders as "
          "the daemon: \"required\" (none: only the daemon's readiness, which a failing "
          "required source already fails), \"all\" the daemon reports, or a list of names. "
          "Names must be sources of this file when it has any; without sources (watching a "
          "remote daemon) they are taken as given",
          {.max = static_cast<std::int64_t>(k_max_watched_sources)}),
      // watchdog.notify[]
      row<&NotifierConfig::type>(N, "type", T::enumeration, "Notifier kind; required",
                                 {.enum_values = k_notifier_types}),
      row<&NotifierConfig::url>(N, "url", T::http_url,
                                "ntfy topic URL, Gotify server URL, webhook URL, or the URL a "
                                "heartbeat GETs after every check that finds the daemon up; "
                                "user:password@ is sent as HTTP Basic auth",
                                {.secret_path = true}),
      row<&NotifierConfig::fail_url>(
          N, "fail_url", T::http_url,
          "heartbeat: the URL it GETs after a check that finds the daemon down or unreachable "
          "(never during a silence, when url is pinged instead); empty = none",
          {.secret_path = true}),
      row<&NotifierConfig::token>(N, "token", T::string, "ntfy access token or Gotify app token",
                                  {.secret = true}),
      row<&NotifierConfig::headers>(N, "headers", T::string_map,
                                    "Extra HTTP headers (values are treated as secrets)",
                                    {.secret = true}),
      row<&NotifierConfig::argv>(N, "argv", T::string_list,
                                 "Command and arguments (absolute path, no shell)"),
      row<&NotifierConfig::priority>(N, "priority", T::integer,
                                     "Message priority; 0 = the service's default",
                                     {.min = 0, .max = 10}),
      row<&NotifierConfig::timeout>(N, "timeout", T::duration, "Delivery deadline",
                                    {.min = 1, .max = 10 * k_minute}),
      // mqtt
      row<&Config::mqtt, &MqttConfig::url>(
          G, "mqtt.url", T::mqtt_url,
          "MQTT broker for source states, events, refresh commands and Home Assistant discovery: "
          "mqtt://[user:password@]host[:1883] or mqtts://...[:8883]; empty = no MQTT"),
      row<&Config::mqtt, &MqttConfig::client_id>(
          G, "mqtt.client_id", T::string,
          "MQTT client id, also the node id of discovery topics; empty = homectl-<hostname>"),
      row<&Config::mqtt, &MqttConfig::prefix>(
          G, "mqtt.prefix", T::string,
          "First level of every topic homectl publishes ({prefix}/status, {prefix}/events, "
          "{prefix}/sources/<name>/state) or reads ({prefix}/sources/<name>/refresh)"),
      row<&Config::mqtt, &MqttConfig::discovery>(
          G, "mqtt.discovery", T::boolean,
          "Announce every source and value to Home Assistant (MQTT discovery)"),
      row<&Config::mqtt, &MqttConfig::discovery_prefix>(
          G, "mqtt.discovery_prefix", T::string,
          "Home Assistant's discovery prefix (its birth message is {discovery_prefix}/status)"),
      row<&Config::mqtt, &MqttConfig::required>(
          G, "mqtt.required", T::boolean,
          "Report not ready while the broker is unreachable (else a warning)"),
      row<&Config::mqtt, &MqttConfig::max_queue>(
          G, "mqtt.max_queue", T::integer,
          "Outgoing messages held while the broker is unreachable; beyond it the oldest is "
          "dropped and counted",
          {.min = 1, .max = 1'000'000}),
      row<&Config::mqtt, &MqttConfig::ca_file>(
          G, "mqtt.ca_file", T::string,
          "mqtts: PEM file of the CA certificates to trust; empty = the system's"),
  };
}

} // namespace

std::span<const Setting> settings() {
  static const std::vector<Setting> table = build_table();
  return table;
}

} // namespace homectl::config
