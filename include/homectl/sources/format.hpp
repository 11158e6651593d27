#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// Small text formats the sources API needs.
namespace homectl::sources {

// RFC 3339 UTC with milliseconds: 2026-11-26T10:28:47.123Z.
std::string format_rfc3339(std::chrono::system_clock::time_point at);

// IMF-fixdate (RFC 9110), for Last-Modified: Thu, 26 Nov 2026 10:28:47 GMT.
std::string format_http_date(std::chrono::system_clock::time_point at);

// Parses a `?wait=` value: "5s", "500ms", "1m" or bare seconds ("5").
// nullopt for anything else, for zero/negative and above one hour.
std::optional<std::chrono::milliseconds> parse_wait(std::string_view text);

} // namespace homectl::sources
