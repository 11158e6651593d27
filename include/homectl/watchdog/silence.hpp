#pragma once

#include "homectl/watchdog/state_file.hpp"
#include "homectl/watchdog/state_machine.hpp"

#include <optional>
#include <string>

// Maintenance windows (`watchdog silence`): while one lasts, every change is
// recorded by the state machines but nothing is sent; when it is over, one
// summary says what differs from what was last announced before it began.
// Heartbeats go on: they say the watchdog is alive.
namespace homectl::watchdog {

// True while `file` has a silence that has not ended by `now`.
bool is_silenced(const WatchdogFile& file, WallTime now);

// Silences until `until` with `reason`. The first silence records what was
// last announced; a later one (even one that ended but whose summary was not
// sent yet) keeps that record and only moves the end and the reason.
void begin_silence(WatchdogFile& file, WallTime until, std::string reason, WallTime now);

// Ends the silence at `now`; the next check sends the summary. False when
// there was none.
bool end_silence(WatchdogFile& file, WallTime now);

// The summary for the end of `silence`: the daemon and each tracked source
// whose state differs from what was announced before it ("unknown" counts as
// up, as on a first run); nullopt when nothing differs.
std::optional<Notification> silence_summary(const WatchdogFile& file, const Silence& silence);

} // namespace homectl::watchdog
