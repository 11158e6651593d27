#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

// Test support: what a child process uses, read from /proc/<pid>, and values
// read from a Prometheus text page. For fault tests that check a daemon's
// descriptors, memory and CPU under abuse.
namespace homectl::test {

// Open file descriptors of `pid` (entries in /proc/<pid>/fd); nullopt when unreadable.
std::optional<int> open_fds(pid_t pid);
// Resident set size of `pid` in bytes (VmRSS).
std::optional<long long> resident_bytes(pid_t pid);
// User + system CPU time `pid` has used, in seconds.
std::optional<double> cpu_seconds(pid_t pid);

// The value of one series in a Prometheus text page, e.g.
// `homectl_http_connection_timeouts_total{phase="idle"}`; nullopt when absent.
std::optional<double> metric_value(const std::string& page, std::string_view series);

} // namespace homectl::test
