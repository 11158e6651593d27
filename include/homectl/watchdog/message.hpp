#pragma once

#include "homectl/watchdog/state_machine.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

// The words of the watchdog's messages: clock times, spans, one line per
// change ("weather failing since 10:42: upstream status 503", "weather
// recovered after 2 h 5 min") and the text of a whole notification.
namespace homectl::watchdog {

// Local time as "HH:MM" (the watchdog runs on the machine it watches).
std::string format_clock(WallTime time);

// Local date and time as "2026-12-07 14:05".
std::string format_local_time(WallTime time);

// A span in at most two units: "45 s", "5 min", "2 h 5 min", "3 d 4 h";
// negative spans count as 0 s.
std::string format_span(std::chrono::seconds span);

// How a source's state is shown: up "ok", down "failing", unknown "unknown".
std::string_view source_state_name(DaemonState state);

// `text` cut to `limit` bytes on a UTF-8 boundary (marked "..."), with
// control characters (line breaks included) replaced by spaces.
std::string bounded_line(std::string_view text, std::size_t limit);

// One change: "NAME failing since HH:MM: CAUSE", "NAME still failing since
// ...", "NAME recovered after SPAN" (SPAN from `previous_since` to `since`).
// `word` names the failure ("failing" for sources, "down" for the daemon).
std::string change_line(std::string_view name, std::string_view word, DaemonState state,
                        WallTime since, WallTime previous_since, std::string_view cause,
                        bool reminder);

// The text for people: the daemon's message alone when only the daemon
// changed (as it always was), else one line per change, daemon first.
std::string text_of(const Notification& notification);

} // namespace homectl::watchdog
