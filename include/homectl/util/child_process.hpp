#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// Runs a program as a child process without blocking the event loop: no
// shell, no PATH lookup, its own process group, stdout and stderr read
// through the loop, the exit seen through a pidfd. Whatever way the run ends
// (exit, size cap, deadline, cancellation) the whole group is killed and the
// child reaped before the coroutine is done.
namespace homectl::util {

// What to run and within which bounds.
struct ChildSpec {
  std::vector<std::string> argv;        // argv[0]: the program's absolute path
  std::vector<std::string> environment; // "NAME=value": the child's whole environment
  std::string working_directory = "/";
  std::size_t max_stdout = 0;    // one byte more kills the group (ChildEnd::too_large)
  std::size_t max_stderr = 4096; // kept; the rest is read and dropped
  std::chrono::steady_clock::time_point deadline; // then the group is killed (timed_out)
};

// How a run ended.
enum class ChildEnd {
  exited,      // the program exited; `code` is its exit status
  signalled,   // a signal ended it; `code` is the signal number
  not_started, // it could not be started; `code` is the errno
  too_large,   // stdout passed max_stdout
  timed_out,   // the deadline passed first
};

std::string_view to_string(ChildEnd end);

// The outcome of one run: stdout (at most max_stdout bytes) and the first
// max_stderr bytes of stderr.
struct ChildResult {
  ChildEnd end = ChildEnd::not_started;
  int code = 0;
  std::string out;
  std::string err;
};

// Starts `spec.argv` with stdin on /dev/null, only fds 0-2 open, default
// signal dispositions, an empty signal mask and `working_directory`, as the
// leader of a new process group, and collects its output until it ends.
// After the main process has exited the rest of its group is killed too, so
// no background grandchild outlives the run or keeps its pipes open.
// Cancelled, it kills the group, reaps the child and throws
// boost::system::system_error(operation_aborted).
boost::asio::awaitable<ChildResult> run_child(ChildSpec spec);

} // namespace homectl::util
