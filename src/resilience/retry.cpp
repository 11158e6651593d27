#include "homectl/resilience/retry.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace homectl::resilience {

UniformRandom default_random() {
  return [] {
    static std::mutex mutex;
    static std::mt19937_64 engine{std::random_device{}()};
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::lock_guard lock(mutex);
    return uniform(engine);
  };
}

Duration full_jitter_backoff(int retry, Duration base, Duration cap, const UniformRandom& random) {
  if (base.count() <= 0 || cap.count() <= 0) {
    return Duration{0};
  }
  // base · 2^retry saturates at cap; compute in double to avoid overflow for large `retry`.
  const double exp = static_cast<double>(base.count()) * std::pow(2.0, std::clamp(retry, 0, 62));
  const double ceiling = std::min(static_cast<double>(cap.count()), exp);
  double u = random ? random() : 0.0;
  u = std::clamp(u, 0.0, 1.0);
  return Duration{static_cast<Duration::rep>(std::floor(u * ceiling))};
}

bool is_retryable_status(int status) {
  return status == 429 || (status >= 500 && status <= 599);
}

bool is_retryable(AttemptFailure failure, int status) {
  switch (failure) {
  case AttemptFailure::none:
    return is_retryable_status(status);
  case AttemptFailure::connect:
  case AttemptFailure::timeout:
  case AttemptFailure::protocol:
    return true;
  case AttemptFailure::tls:
  case AttemptFailure::too_large:
  case AttemptFailure::permanent:
    return false;
  }
  return false;
}

namespace {

std::optional<long long> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 18) {
    return std::nullopt;
  }
  long long value = 0;
  const auto* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value);
  if (ec != std::errc{} || ptr != end || value < 0) {
    return std::nullopt;
  }
  return value;
}

std::optional<unsigned> parse_month(std::string_view s) {
  static constexpr std::array<std::string_view, 12> k_months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < k_months.size(); ++i) {
    if (s == k_months[i]) {
      return static_cast<unsigned>(i + 1);
    }
  }
  return std::nullopt;
}

// "08:49:37" → seconds since midnight.
std::optional<long long> parse_time_of_day(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') {
    return std::nullopt;
  }
  auto h = parse_number(s.substr(0, 2));
  auto m = parse_number(s.substr(3, 2));
  auto sec = parse_number(s.substr(6, 2));
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) {
    return std::nullopt;
  }
  return *h * 3600 + *m * 60 + *sec;
}

bool is_day_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

std::vector<std::string_view> date_tokens(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',' || s[i] == '-')) {
      ++i;
    }
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != ',' && s[i] != '-') {
      ++i;
    }
    if (i > start) {
      out.push_back(s.substr(start, i - start));
    }
  }
  return out;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view s) {
  auto t = date_tokens(s);
  std::optional<long long> day;
  std::optional<unsigned> month;
  std::optional<long long> year;
  std::optional<long long> tod;
  if (t.size() == 6 && is_day_name(t[0]) && t[5] == "GMT") {
    // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT".
    day = parse_number(t[1]);
    month = parse_month(t[2]);
    if (t[3].size() == 4 || t[3].size() == 2) {
      year = parse_number(t[3]);
    }
    tod = parse_time_of_day(t[4]);
  } else if (t.size() == 5 && is_day_name(t[0])) {
    // asctime "Sun Nov  6 08:49:37 1994".
    month = parse_month(t[1]);
    day = parse_number(t[2]);
    tod = parse_time_of_day(t[3]);
    if (t[4].size() == 4) {
      year = parse_number(t[4]);
    }
  }
  if (!day || !month || !year || !tod) {
    return std::nullopt;
  }
  long long y = year.value();
  if (y < 100) {
    y += y < 70 ? 2000 : 1900; // RFC 850 two-digit years
  }
  const long long d = day.value();
  if (d < 1 || d > 31) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(y)},
                                        std::chrono::month{month.value()},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return std::chrono::sys_days{ymd} + std::chrono::seconds{tod.value()};
}

} // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  if (value.empty()) {
    return std::nullopt;
  }
  if (value.front() >= '0' && value.front() <= '9') {
    auto n = parse_number(value);
    if (!n) {
      return std::nullopt;
    }
    return std::chrono::seconds{*n};
  }
  auto when = parse_http_date(value);
  if (!when) {
    return std::nullopt;
  }
  if (*when <= now) {
    return std::chrono::seconds{0};
  }
  // Round up: waiting a fraction less than asked would arrive too early.
  return std::chrono::ceil<std::chrono::seconds>(*when - now);
}

std::optional<Duration> next_retry_delay(const RetryState& state, Duration base, Duration cap,
                                         const UniformRandom& random) {
  if (state.retries_done >= state.max_retries || !is_retryable(state.failure, state.status)) {
    return std::nullopt;
  }
  Duration delay = full_jitter_backoff(state.retries_done, base, cap, random);
  if (state.retry_after) {
    delay = std::max(delay, std::chrono::duration_cast<Duration>(*state.retry_after));
  }
  if (delay >= state.remaining) {
    return std::nullopt;
  }
  return delay;
}

} // namespace homectl::resilience
