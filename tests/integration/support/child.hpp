#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

// The child processes the test servers run (redis-server, mosquitto and the
// MQTT command-line clients): started so that they never outlive the test
// binary, waited for with a deadline, and always reaped.
namespace homectl::test {

// fork + execv(argv[0]) with standard input from /dev/null, standard output
// appended to `out_path` and standard error to `err_path` ("" = /dev/null; the
// same path for both puts them in one file). The child gets SIGKILL when this
// process dies. -1 when fork fails.
pid_t spawn_child(const std::vector<std::string>& argv, const std::string& out_path,
                  const std::string& err_path);

// True once `pid` has exited (and is reaped).
bool child_exited(pid_t pid);

// Sends `signal_number`, waits up to `grace` for the child to exit, then
// SIGKILL; reaps it either way and sets `pid` to -1. Nothing when pid <= 0.
void stop_child(pid_t& pid, int signal_number,
                std::chrono::milliseconds grace = std::chrono::seconds(5));

// Polls `ready` until it holds (true) or the child exits or `timeout` passes
// (false; a child still running is killed). `pid` is -1 afterwards unless ready.
bool wait_child_ready(pid_t& pid, const std::function<bool()>& ready,
                      std::chrono::milliseconds timeout);

// True when something accepts TCP connections on 127.0.0.1:`port`.
bool loopback_accepts(std::uint16_t port);

} // namespace homectl::test
