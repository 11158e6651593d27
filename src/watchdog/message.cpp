#include "homectl/watchdog/message.hpp"

#include <algorithm>
#include <ctime>

namespace homectl::watchdog {

std::string format_clock(WallTime time) {
  return format_wall_time(time, "%H:%M", TimeZone::local);
}

std::string format_local_time(WallTime time) {
  return format_wall_time(time, "%Y-%m-%d %H:%M", TimeZone::local);
}

std::string format_span(std::chrono::seconds span) {
  struct Unit {
    long long seconds;
    const char* name;
  };
  static constexpr Unit k_units[] = {{86400, "d"}, {3600, "h"}, {60, "min"}, {1, "s"}};
  long long left = std::max<long long>(0, span.count());
  std::string out;
  int used = 0;
  for (const auto& unit : k_units) {
    const long long n = left / unit.seconds;
    if (n > 0 || (used > 0)) {
      if (n > 0) {
        out += (out.empty() ? "" : " ") + std::to_string(n) + " " + unit.name;
      }
      left -= n * unit.seconds;
      // Two units at most, and only neighbouring ones ("2 h 5 min", never "2 h 7 s").
      if (++used == 2) {
        break;
      }
    }
  }
  return out.empty() ? "0 s" : out;
}

std::string_view source_state_name(DaemonState state) {
  switch (state) {
  case DaemonState::up:
    return "ok";
  case DaemonState::down:
  case DaemonState::unreachable:
    return "failing";
  case DaemonState::unknown:
    break;
  }
  return "unknown";
}

std::string bounded_line(std::string_view text, std::size_t limit) {
  std::string out(text);
  for (auto& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      c = ' ';
    }
  }
  if (out.size() <= limit) {
    return out;
  }
  std::size_t end = limit > 3 ? limit - 3 : 0;
  while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) {
    --end;
  }
  out.resize(end);
  return out + "...";
}

std::string change_line(std::string_view name, std::string_view word, DaemonState state,
                        WallTime since, WallTime previous_since, std::string_view cause,
                        bool reminder) {
  std::string line(name);
  if (state == DaemonState::up) {
    line += " recovered";
    if (previous_since != WallTime{} && previous_since <= since) {
      line += " after " +
              format_span(std::chrono::duration_cast<std::chrono::seconds>(since - previous_since));
    }
    return line;
  }
  line += reminder ? " still " : " ";
  line += std::string(word) + " since " + format_clock(since);
  if (!cause.empty()) {
    line += ": " + std::string(cause);
  }
  return line;
}

std::string text_of(const Notification& n) {
  if (n.sources.empty() && !n.summary && n.sources_left_out == 0) {
    return n.message;
  }
  std::string text;
  const auto add = [&text](const std::string& line) { text += (text.empty() ? "" : "\n") + line; };
  if (n.daemon_changed) {
    add(change_line("homectl", to_string(n.state), n.state, n.since, n.previous_since, n.message,
                    n.reminder));
  }
  for (const auto& change : n.sources) {
    add(change.message);
  }
  if (n.sources_left_out > 0) {
    add("and " + std::to_string(n.sources_left_out) + " more source change" +
        (n.sources_left_out == 1 ? "" : "s"));
  }
  return text;
}

} // namespace homectl::watchdog
