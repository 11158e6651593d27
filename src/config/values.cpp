#include "homectl/config/values.hpp"

#include "homectl/util/strings.hpp"
#include "homectl/util/url.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

namespace homectl::config {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads a run of decimal digits into `out`; false on overflow.
bool read_number(std::string_view text, std::size_t& pos, std::uint64_t& out) {
  const char* first = text.data() + pos;
  std::size_t end = pos;
  while (end < text.size() && is_digit(text[end])) {
    ++end;
  }
  auto [ptr, ec] = std::from_chars(first, text.data() + end, out);
  pos = end;
  return ec == std::errc{} && ptr == text.data() + end;
}

// What is wrong with how a duration or size (`what`) starts, if anything:
// nothing there, a minus sign, or not a digit.
std::optional<std::string> bad_start(std::string_view text, std::string_view what,
                                     std::string_view example) {
  const std::string noun(what);
  if (text.empty()) {
    return "empty value is not a " + noun + std::string(example);
  }
  if (text.front() == '-') {
    return util::quote(text) + " is not a " + noun + ": negative " + noun + "s are not allowed";
  }
  if (!is_digit(text.front())) {
    return util::quote(text) + " is not a " + noun + std::string(example);
  }
  return std::nullopt;
}

struct Unit {
  std::string_view name;
  std::int64_t ms;
};

constexpr std::array k_duration_units{Unit{"d", 86'400'000}, Unit{"h", 3'600'000},
                                      Unit{"m", 60'000}, Unit{"s", 1000}, Unit{"ms", 1}};

const char* const k_duration_example = " (e.g. 30s, 5m)";
const char* const k_rate_example = " (e.g. 20/s, 60/m, 1000/h)";

} // namespace

Result<Duration> parse_duration(std::string_view text) {
  if (auto problem = bad_start(text, "duration", k_duration_example)) {
    return make_error(std::move(*problem));
  }
  std::int64_t total = 0;
  std::size_t pos = 0;
  std::size_t last_unit = 0; // index into k_duration_units, must increase
  bool first = true;
  while (pos < text.size()) {
    std::uint64_t number = 0;
    if (!is_digit(text[pos])) {
      return make_error(util::quote(text) + " is not a duration" + k_duration_example);
    }
    if (!read_number(text, pos, number)) {
      return make_error(util::quote(text) + " is too large for a duration");
    }
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      return make_error(util::quote(text) +
                        " is not a duration: use whole numbers of a smaller unit (e.g. 1s500ms)");
    }
    std::size_t unit_end = pos;
    while (unit_end < text.size() && !is_digit(text[unit_end])) {
      ++unit_end;
    }
    const std::string_view unit = text.substr(pos, unit_end - pos);
    if (unit.empty()) {
      if (first) {
        return make_error(util::quote(text) + " is not a duration: add a unit (e.g. " +
                          std::string(text) + "s)");
      }
      return make_error(util::quote(text) + " is not a duration: the last number has no unit");
    }
    std::size_t index = k_duration_units.size();
    for (std::size_t i = 0; i < k_duration_units.size(); ++i) {
      if (k_duration_units[i].name == unit) {
        index = i;
      }
    }
    if (index == k_duration_units.size()) {
      return make_error(util::quote(text) + " is not a duration: unknown unit " +
                        util::quote(unit) + " (use ms, s, m, h, d)");
    }
    if (!first && index <= last_unit) {
      return make_error(util::quote(text) +
                        " is not a duration: units must go from largest to smallest (e.g. 1h30m)");
    }
    const auto ms = k_duration_units[index].ms;
    if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / ms) ||
        total > std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(number) * ms) {
      return make_error(util::quote(text) + " is too large for a duration");
    }
    total += static_cast<std::int64_t>(number) * ms;
    last_unit = index;
    first = false;
    pos = unit_end;
  }
  return Duration{total};
}

Result<std::optional<Duration>> parse_duration_or_off(std::string_view text) {
  if (text == "off") {
    return std::optional<Duration>{};
  }
  auto d = parse_duration(text);
  if (!d) {
    std::string message = d.error().message;
    if (message.ends_with(k_duration_example)) {
      message.resize(message.size() - std::string_view(k_duration_example).size());
      message += " or \"off\"" + std::string(k_duration_example);
    }
    return make_error(std::move(message));
  }
  return std::optional<Duration>{*d};
}

Result<std::size_t> parse_size(std::string_view text) {
  static constexpr std::array k_units{
      std::pair<std::string_view, std::uint64_t>{"B", 1},
      std::pair<std::string_view, std::uint64_t>{"KB", 1000},
      std::pair<std::string_view, std::uint64_t>{"MB", 1000 * 1000},
      std::pair<std::string_view, std::uint64_t>{"GB", 1000 * 1000 * 1000},
      std::pair<std::string_view, std::uint64_t>{"KiB", 1024},
      std::pair<std::string_view, std::uint64_t>{"MiB", 1024 * 1024},
      std::pair<std::string_view, std::uint64_t>{"GiB", 1024 * 1024 * 1024}};
  const char* const example = " (e.g. 512, 64KiB, 10MB)";
  if (auto problem = bad_start(text, "size", example)) {
    return make_error(std::move(*problem));
  }
  std::size_t pos = 0;
  std::uint64_t number = 0;
  if (!read_number(text, pos, number)) {
    return make_error(util::quote(text) + " is too large for a size");
  }
  if (pos < text.size() && text[pos] == '.') {
    return make_error(util::quote(text) + " is not a size: use a whole number of a smaller unit");
  }
  const std::string_view unit = text.substr(pos);
  std::uint64_t factor = 0;
  if (unit.empty()) {
    factor = 1;
  }
  for (const auto& [name, f] : k_units) {
    if (name == unit) {
      factor = f;
    }
  }
  if (factor == 0) {
    return make_error(util::quote(text) + " is not a size: unknown unit " + util::quote(unit) +
                      " (use B, KB, MB, GB, KiB, MiB, GiB)");
  }
  if (number > std::numeric_limits<std::size_t>::max() / factor) {
    return make_error(util::quote(text) + " is too large for a size");
  }
  return static_cast<std::size_t>(number * factor);
}

Result<Rate> parse_rate(std::string_view text) {
  if (text.empty()) {
    return make_error("empty value is not a rate" + std::string(k_rate_example));
  }
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return make_error(util::quote(text) + " is not a rate" + k_rate_example);
  }
  const std::string_view count_text = text.substr(0, slash);
  const std::string_view unit = text.substr(slash + 1);
  if (count_text.front() == '-') {
    return make_error(util::quote(text) + " is not a rate: the count must be positive");
  }
  std::uint32_t count = 0;
  auto [ptr, ec] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
  if (ec == std::errc::result_out_of_range) {
    return make_error(util::quote(text) + " is too large for a rate");
  }
  if (ec != std::errc{} || ptr != count_text.data() + count_text.size()) {
    return make_error(util::quote(text) + " is not a rate" + k_rate_example);
  }
  if (count == 0) {
    return make_error(util::quote(text) +
                      " is not a rate: the count must be positive (use \"off\" for "
                      "unlimited)");
  }
  Duration period{0};
  if (unit == "s") {
    period = Duration{1000};
  } else if (unit == "m") {
    period = Duration{60'000};
  } else if (unit == "h") {
    period = Duration{3'600'000};
  } else if (unit == "d") {
    period = Duration{86'400'000};
  } else {
    return make_error(util::quote(text) + " is not a rate: unknown period " + util::quote(unit) +
                      " (use s, m, h, d)");
  }
  return Rate{count, period};
}

Result<std::optional<Rate>> parse_rate_or_off(std::string_view text) {
  if (text == "off") {
    return std::optional<Rate>{};
  }
  auto r = parse_rate(text);
  if (!r) {
    return r.error();
  }
  return std::optional<Rate>{*r};
}

namespace {

// Parses "65535"; returns -1 when not a number in 0..65535.
int parse_port(std::string_view text) {
  int port = -1;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || port < 0 ||
      port > 65535) {
    return -1;
  }
  return port;
}

} // namespace

Result<ListenAddress> parse_listen(std::string_view text) {
  const char* const example = " (e.g. 127.0.0.1:8080 or [::1]:8080)";
  if (text.empty()) {
    return make_error("empty value is not a listen address" + std::string(example));
  }
  std::string_view host;
  std::string_view port_text;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return make_error(util::quote(text) + " is not a listen address: missing \"]\"" + example);
    }
    host = text.substr(1, close - 1);
    if ((host.find(':') == std::string_view::npos || !util::is_ip_literal(host))) {
      return make_error(util::quote(text) + " is not a listen address: " + util::quote(host) +
                        " is not an IPv6 address");
    }
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return make_error(util::quote(text) + " is not a listen address: missing port" + example);
    }
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return make_error(util::quote(text) + " is not a listen address: missing port" + example);
    }
    host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return make_error(
          util::quote(text) +
          " is not a listen address: put IPv6 addresses in brackets (e.g. [::1]:8080)");
    }
    if (!util::is_host_name(host)) {
      return make_error(util::quote(text) + " is not a listen address: " + util::quote(host) +
                        " is not a host name or IP address");
    }
    port_text = text.substr(colon + 1);
  }
  const int port = parse_port(port_text);
  if (port < 0) {
    return make_error(util::quote(text) + " is not a listen address: port " +
                      util::quote(port_text) +
                      " is not a number from 1 to 65535 (or 0 for any free port)");
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

Result<std::string> parse_http_url(std::string_view text) {
  auto url = util::parse_http_url(text);
  if (!url) {
    return url.error();
  }
  return std::string(text);
}

Result<std::string> parse_redis_url(std::string_view text) {
  auto url = util::parse_redis_url(text);
  if (!url) {
    return url.error();
  }
  return std::string(text);
}

Result<std::string> parse_json_pointer(std::string_view text) {
  if (text.empty()) {
    return std::string();
  }
  if (text.front() != '/') {
    return make_error(util::quote(text) +
                      " is not a JSON Pointer: it must start with \"/\" (e.g. \"/" +
                      std::string(text) + "\")");
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '~' && (i + 1 >= text.size() || (text[i + 1] != '0' && text[i + 1] != '1'))) {
      return make_error(util::quote(text) +
                        " is not a JSON Pointer: \"~\" must be followed by 0 or 1 (~0 is \"~\", "
                        "~1 is \"/\")");
    }
  }
  return std::string(text);
}

Result<std::string> parse_source_name(std::string_view text) {
  bool ok = !text.empty() && text.size() <= 64;
  for (std::size_t i = 0; ok && i < text.size(); ++i) {
    const char c = text[i];
    const bool alnum = (c >= 'a' && c <= 'z') || is_digit(c);
    ok = alnum || (i > 0 && (c == '_' || c == '-'));
  }
  if (!ok) {
    return make_error(util::quote(text) +
                      " is not a valid source name: use 1-64 characters a-z, 0-9, \"_\" or \"-\", "
                      "starting with a letter or digit");
  }
  return std::string(text);
}

std::string format_duration(Duration d) {
  std::int64_t ms = d.count();
  if (ms == 0) {
    return "0s";
  }
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  for (const auto& unit : k_duration_units) {
    if (ms >= unit.ms) {
      out += std::to_string(ms / unit.ms) + std::string(unit.name);
      ms %= unit.ms;
    }
  }
  return out;
}

std::string format_size(std::size_t bytes) {
  static constexpr std::array k_units{std::pair<std::string_view, std::size_t>{"GiB", 1 << 30},
                                      std::pair<std::string_view, std::size_t>{"MiB", 1 << 20},
                                      std::pair<std::string_view, std::size_t>{"KiB", 1 << 10}};
  for (const auto& [name, factor] : k_units) {
    if (bytes != 0 && bytes % factor == 0) {
      return std::to_string(bytes / factor) + std::string(name);
    }
  }
  return std::to_string(bytes);
}

std::string format_rate(const Rate& rate) {
  std::string unit;
  switch (rate.period.count()) {
  case 1000:
    unit = "s";
    break;
  case 60'000:
    unit = "m";
    break;
  case 3'600'000:
    unit = "h";
    break;
  case 86'400'000:
    unit = "d";
    break;
  default:
    unit = format_duration(rate.period);
  }
  return std::to_string(rate.count) + "/" + unit;
}

std::string format_listen(const ListenAddress& address) {
  if (address.host.find(':') != std::string::npos) {
    return "[" + address.host + "]:" + std::to_string(address.port);
  }
  return address.host + ":" + std::to_string(address.port);
}

} // namespace homectl::config
