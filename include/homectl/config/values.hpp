#pragma once

#include "homectl/config/config.hpp"
#include "homectl/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// Parsers for the value syntaxes of the configuration (durations, sizes, rates,
// addresses, URLs, JSON Pointers, names) and their formatting back to text.
// Every error message quotes the offending text and shows an example.
namespace homectl::config {

// "250ms", "5s", "15m", "1h30m", "2d" (units ms, s, m, h, d; compound, largest first).
Result<Duration> parse_duration(std::string_view text);

// A duration or "off" (nullopt), as used by `refresh` and `remind_every`.
Result<std::optional<Duration>> parse_duration_or_off(std::string_view text);

// "512", "64KiB", "10MB": bytes; KB/MB/GB are decimal, KiB/MiB/GiB binary.
Result<std::size_t> parse_size(std::string_view text);

// "20/s", "60/m", "1000/h", "5000/d": a count per period.
Result<Rate> parse_rate(std::string_view text);

// A rate or "off" (nullopt = unlimited).
Result<std::optional<Rate>> parse_rate_or_off(std::string_view text);

// "host:port", "[::1]:port" or "*:port" (all addresses). Port 1-65535, or 0 to
// let the system pick a free port.
Result<ListenAddress> parse_listen(std::string_view text);

// An absolute http:// or https:// URL with a host, checked by the parser the
// outbound client uses (util::parse_http_url).
Result<std::string> parse_http_url(std::string_view text);

// "redis://[user:pass@]host[:port][/db]" or "unix://[user:pass@]/path[?db=N]",
// checked by the parser the Redis client uses (util::parse_redis_url).
// Messages never quote the text (it may hold a password).
Result<std::string> parse_redis_url(std::string_view text);

// An RFC 6901 JSON Pointer: "" or "/a/b~1c" (only ~0 and ~1 escapes).
Result<std::string> parse_json_pointer(std::string_view text);

// A source name: [a-z0-9][a-z0-9_-]{0,63}.
Result<std::string> parse_source_name(std::string_view text);

// The regex source names follow (for the schema).
inline constexpr std::string_view k_source_name_pattern = "^[a-z0-9][a-z0-9_-]{0,63}$";

// Formats a duration in the config syntax: 5400000ms -> "1h30m", 250ms -> "250ms", 0 -> "0s".
std::string format_duration(Duration d);

// Formats a size in the config syntax, using the largest exact binary unit: "64KiB", "1000".
std::string format_size(std::size_t bytes);

// Formats a rate as "60/m".
std::string format_rate(const Rate& rate);

// Formats a listen address as "127.0.0.1:8080" or "[::1]:8080".
std::string format_listen(const ListenAddress& address);

} // namespace homectl::config
