#include "homectl/util/child_process.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace homectl::util {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using Descriptor = asio::posix::stream_descriptor;

namespace {

constexpr std::size_t k_read_chunk = 64 * 1024;

// The started child, leader of its own process group. Until it is reaped,
// destroying this kills the group and reaps the child with a blocking
// waitpid: that happens only when the run was abandoned (cancelled, or its
// coroutine destroyed), and a SIGKILLed child is gone at once.
class Child {
public:
  explicit Child(pid_t pid) : m_pid(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (!m_reaped) {
      kill_group();
      int status = 0;
      while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }

  // Kills every process of the group. Only while the child is unreaped: its
  // zombie keeps the pid, so the group id cannot name anyone else yet.
  void kill_group() const {
    if (!m_reaped) {
      ::kill(-m_pid, SIGKILL);
    }
  }

  // Reaps the child once it has exited; false while it still runs.
  bool try_reap() {
    if (m_reaped) {
      return true;
    }
    pid_t done = 0;
    do {
      done = ::waitpid(m_pid, &m_status, WNOHANG);
    } while (done < 0 && errno == EINTR);
    // ECHILD: reaped by someone else; nothing left to wait for.
    m_reaped = done == m_pid || (done < 0 && errno == ECHILD);
    return m_reaped;
  }

  bool reaped() const { return m_reaped; }
  int status() const { return m_status; }

private:
  pid_t m_pid;
  bool m_reaped = false;
  int m_status = 0;
};

// posix_spawn's attribute and file-action objects, destroyed on every path.
struct SpawnSettings {
  SpawnSettings() {
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawnattr_init(&attributes);
  }
  SpawnSettings(const SpawnSettings&) = delete;
  SpawnSettings& operator=(const SpawnSettings&) = delete;
  ~SpawnSettings() {
    ::posix_spawnattr_destroy(&attributes);
    ::posix_spawn_file_actions_destroy(&actions);
  }
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attributes{};
};

struct Pipe {
  Pipe() = default;
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    for (const int fd : {read_end, write_end}) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
  bool open() { return ::pipe2(&read_end, O_CLOEXEC) == 0; }
  // Hands the read end over (non-blocking) and closes the write end.
  int take_read_end() {
    ::close(write_end);
    write_end = -1;
    ::fcntl(read_end, F_SETFL, ::fcntl(read_end, F_GETFL) | O_NONBLOCK);
    return std::exchange(read_end, -1);
  }
  int read_end = -1;
  int write_end = -1; // follows read_end in memory, as pipe2 wants
};

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

// Starts the child with stdout and stderr on the pipes' write ends; the
// errno when it cannot be started (glibc reports a failed execve here).
int spawn(ChildSpec& spec, const Pipe& out, const Pipe& err, pid_t& pid) {
  SpawnSettings s;
  ::posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&s.actions, out.write_end, 1);
  ::posix_spawn_file_actions_adddup2(&s.actions, err.write_end, 2);
  // Whatever else the daemon holds (sockets, descriptors without
  // O_CLOEXEC) stays out of the child.
  ::posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);
  ::posix_spawn_file_actions_addchdir_np(&s.actions, spec.working_directory.c_str());
  sigset_t empty;
  sigemptyset(&empty);
  ::posix_spawnattr_setsigmask(&s.attributes, &empty);
  // The daemon ignores SIGPIPE; ignored signals would survive execve.
  sigset_t all;
  sigfillset(&all);
  ::posix_spawnattr_setsigdefault(&s.attributes, &all);
  ::posix_spawnattr_setpgroup(&s.attributes, 0);
  ::posix_spawnattr_setflags(&s.attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                POSIX_SPAWN_SETSIGDEF);
  auto argv = pointers_to(spec.argv);
  auto envp = pointers_to(spec.environment);
  return ::posix_spawn(&pid, spec.argv.front().c_str(), &s.actions, &s.attributes, argv.data(),
                       envp.data());
}

int open_pidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U));
}

// What the readers collect while the child runs.
struct Collected {
  std::string out;
  std::string err;
  bool too_large = false;
  bool interrupted = false; // a read or the wait ended other than by end of file or exit
};

// Reads stdout until end of file, or kills the group once it passes `limit`.
asio::awaitable<void> read_stdout(Descriptor& pipe, std::size_t limit, Collected& got,
                                  const Child& child) {
  std::string& out = got.out;
  while (true) {
    const std::size_t used = out.size();
    // One byte past the limit is enough to know it was passed.
    const std::size_t room = limit - used < k_read_chunk ? limit - used + 1 : k_read_chunk;
    out.resize(used + room);
    auto [ec, n] = co_await pipe.async_read_some(asio::buffer(out.data() + used, room),
                                                 asio::as_tuple(asio::use_awaitable));
    out.resize(used + n);
    if (ec) {
      got.interrupted = got.interrupted || ec != asio::error::eof;
      co_return;
    }
    if (out.size() > limit) {
      got.too_large = true;
      out.clear();
      child.kill_group();
      co_return;
    }
  }
}

// Keeps the first `keep` bytes of stderr and drains the rest, so the child
// never blocks on a full pipe.
asio::awaitable<void> read_stderr(Descriptor& pipe, std::size_t keep, Collected& got) {
  std::string scratch(4096, '\0');
  while (true) {
    auto [ec, n] =
        co_await pipe.async_read_some(asio::buffer(scratch), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      got.interrupted = got.interrupted || ec != asio::error::eof;
      co_return;
    }
    if (got.err.size() < keep) {
      got.err.append(scratch.data(), std::min(n, keep - got.err.size()));
    }
  }
}

// Waits for the main process to exit, then kills what is left of its group
// and reaps it. A pidfd turns readable once its process has exited and stays
// so: one wait is enough, and the reap cannot fail after it.
asio::awaitable<void> wait_exit(Descriptor& pidfd, Child& child, Collected& got) {
  auto [ec] = co_await pidfd.async_wait(Descriptor::wait_read, asio::as_tuple(asio::use_awaitable));
  if (ec) {
    got.interrupted = true;
    co_return;
  }
  child.kill_group();
  if (!child.try_reap()) {
    got.interrupted = true; // ~Child reaps it
  }
}

ChildResult ended(const Child& child, Collected& got) {
  ChildResult result;
  result.err = std::move(got.err);
  if (got.too_large) {
    result.end = ChildEnd::too_large;
  } else if (WIFSIGNALED(child.status())) {
    result.end = ChildEnd::signalled;
    result.code = WTERMSIG(child.status());
  } else {
    result.end = ChildEnd::exited;
    result.code = WEXITSTATUS(child.status());
    result.out = std::move(got.out);
  }
  return result;
}

} // namespace

std::string_view to_string(ChildEnd end) {
  switch (end) {
  case ChildEnd::exited:
    return "exited";
  case ChildEnd::signalled:
    return "signalled";
  case ChildEnd::not_started:
    return "not_started";
  case ChildEnd::too_large:
    return "too_large";
  case ChildEnd::timed_out:
    return "timed_out";
  }
  return "unknown";
}

asio::awaitable<ChildResult> run_child(ChildSpec spec) {
  ChildResult result;
  Pipe out_pipe;
  Pipe err_pipe;
  if (spec.argv.empty()) {
    result.code = ENOENT;
    co_return result;
  }
  if (!out_pipe.open() || !err_pipe.open()) {
    result.code = errno;
    co_return result;
  }
  pid_t pid = 0;
  if (const int error = spawn(spec, out_pipe, err_pipe, pid); error != 0) {
    result.code = error;
    co_return result;
  }
  Child child(pid);
  const int pidfd = open_pidfd(pid);
  if (pidfd < 0) {
    result.code = errno;
    co_return result; // ~Child kills and reaps the child just started
  }
  auto executor = co_await asio::this_coro::executor;
  // Declared after `child`: the descriptors close before it is reaped.
  Descriptor exit_watch(executor, pidfd);
  Descriptor out(executor, out_pipe.take_read_end());
  Descriptor err(executor, err_pipe.take_read_end());
  asio::steady_timer timer(executor);
  timer.expires_at(spec.deadline);

  Collected got;
  auto first =
      co_await ((read_stdout(out, spec.max_stdout, got, child) &&
                 read_stderr(err, spec.max_stderr, got) && wait_exit(exit_watch, child, got)) ||
                timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (first.index() == 0) {
    if (got.interrupted || !child.reaped()) {
      // Cancelled from outside: no result to give; ~Child kills and reaps.
      throw boost::system::system_error(asio::error::operation_aborted);
    }
    co_return ended(child, got);
  }
  result.end = ChildEnd::timed_out;
  child.kill_group();
  // SIGKILL cannot be caught: the exit follows, and is awaited, not blocked
  // on (should the wait fail, ~Child reaps it).
  if (!child.reaped()) {
    auto [ec] =
        co_await exit_watch.async_wait(Descriptor::wait_read, asio::as_tuple(asio::use_awaitable));
    if (!ec) {
      child.try_reap();
    }
  }
  co_return result;
}

} // namespace homectl::util
