#include "homectl/sources/format.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace homectl::sources {
namespace {

std::tm utc(std::chrono::system_clock::time_point at) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(at));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

} // namespace

std::string format_rfc3339(std::chrono::system_clock::time_point at) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(at);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(at - seconds).count();
  const std::tm tm = utc(seconds);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buffer;
}

std::string format_http_date(std::chrono::system_clock::time_point at) {
  static constexpr const char* k_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::tm tm = utc(std::chrono::floor<std::chrono::seconds>(at));
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT", k_days[tm.tm_wday],
                tm.tm_mday, k_months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buffer;
}

std::optional<std::chrono::milliseconds> parse_wait(std::string_view text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data() || value <= 0) {
    return std::nullopt;
  }
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::chrono::milliseconds result{};
  if (unit.empty() || unit == "s") {
    result = std::chrono::seconds(value);
  } else if (unit == "ms") {
    result = std::chrono::milliseconds(value);
  } else if (unit == "m") {
    result = std::chrono::minutes(value);
  } else {
    return std::nullopt;
  }
  if (result > std::chrono::hours(1)) {
    return std::nullopt;
  }
  return result;
}

} // namespace homectl::sources
