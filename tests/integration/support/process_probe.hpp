#pragma once

#include <sys/types.h>

#include <optional>

// Test support: what a child process uses, read from /proc/<pid>, for fault
// tests that check a daemon's descriptors and CPU under abuse (memory and
// metrics: support/observe.hpp).
namespace homectl::test {

// Open file descriptors of `pid` (entries in /proc/<pid>/fd); nullopt when unreadable.
std::optional<int> open_fds(pid_t pid);
// User + system CPU time `pid` has used, in seconds.
std::optional<double> cpu_seconds(pid_t pid);

} // namespace homectl::test
