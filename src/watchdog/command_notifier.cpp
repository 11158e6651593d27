#include "homectl/watchdog/notifier.hpp"

#include "homectl/client/http_client.hpp"
#include "homectl/config/values.hpp"
#include "homectl/util/strings.hpp"
#include "homectl/watchdog/message.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace homectl::watchdog {
namespace {

// Resolves a bare program name on PATH in the parent, so the child only calls execve.
std::string resolve_program(const std::string& program, const std::string& path) {
  if (program.find('/') != std::string::npos) {
    return program;
  }
  for (const auto& dir : util::split(path, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return {};
}

bool wait_until(pid_t pid, int& status, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      return true;
    }
    if (done < 0 && errno != EINTR) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// One past the highest descriptor number this process may hold, for closing
// them one by one where close_range(2) is missing (Linux < 5.9). Read before
// fork: the child only closes.
int descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return 65536;
  }
  return static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
}

// In the child between fork and execve: nothing but async-signal-safe calls.
// The command gets fds 0-2 only; whatever else this process holds (sockets,
// the state file, descriptors inherited without O_CLOEXEC) stays out of it.
void close_other_descriptors(int limit) {
  if (::close_range(3, ~0U, 0) == 0) {
    return;
  }
  for (int fd = 3; fd < limit; ++fd) {
    ::close(fd);
  }
}

// The source changes as "weather=failing plug=ok" (names hold no spaces).
std::string sources_words(const Notification& notification) {
  std::string out;
  for (const auto& change : notification.sources) {
    out += (out.empty() ? "" : " ") + change.source + "=" +
           std::string(source_state_name(change.state));
  }
  return out;
}

// A small, explicit environment: nothing of ours (tokens!) leaks into the command.
std::vector<std::string> command_environment(const Notification& notification,
                                             const std::string& path,
                                             const std::string& daemon_url) {
  std::vector<std::string> env_strings{
      "PATH=" + path,
      "HOMECTL_STATE=" +
          (notification.test ? std::string("test") : std::string(to_string(notification.state))),
      "HOMECTL_PREVIOUS=" + std::string(to_string(notification.previous)),
      "HOMECTL_MESSAGE=" + text_of(notification),
      "HOMECTL_SINCE=" + format_time(notification.since),
      "HOMECTL_URL=" + daemon_url,
      "HOMECTL_TITLE=" + title_of(notification),
      notification.reminder ? "HOMECTL_REMINDER=1" : "HOMECTL_REMINDER=0",
      "HOMECTL_SOURCES=" + sources_words(notification),
      "HOMECTL_SOURCES_JSON=" +
          sources_json(notification).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
  };
  for (const char* keep : {"HOME", "LANG", "TZ"}) {
    if (const char* value = std::getenv(keep)) {
      env_strings.push_back(std::string(keep) + "=" + value);
    }
  }
  return env_strings;
}

// The null-terminated pointer array execve takes; `strings` must outlive it.
std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

// Forks and runs `program` in its own process group with stdin and stdout on
// /dev/null; returns the child's pid, or -1 when fork fails.
pid_t spawn(const std::string& program, std::vector<char*>& argp, std::vector<char*>& envp) {
  const int fd_limit = descriptor_limit();
  const pid_t pid = ::fork();
  if (pid < 0) {
    return pid;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      ::dup2(null_fd, 0);
      ::dup2(null_fd, 1);
    }
    close_other_descriptors(fd_limit);
    ::execve(program.c_str(), argp.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid); // also from the parent, so the group exists before any kill
  return pid;
}

// Ends the group of a command that outlived its timeout: SIGTERM, then SIGKILL.
void kill_group(pid_t pid, int& status) {
  ::kill(-pid, SIGTERM);
  if (!wait_until(pid, status, std::chrono::steady_clock::now() + std::chrono::milliseconds(500))) {
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
}

// How a command that ended on its own went.
DeliveryResult outcome_of(int status, const std::string& program) {
  DeliveryResult result;
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    result.ok = code == 0;
    result.detail =
        code == 127 ? "cannot execute " + program : "exit status " + std::to_string(code);
  } else if (WIFSIGNALED(status)) {
    result.detail = "killed by signal " + std::to_string(WTERMSIG(status));
  }
  return result;
}

} // namespace

DeliveryResult run_command(const std::vector<std::string>& argv, const Notification& notification,
                           const std::string& daemon_url, std::chrono::milliseconds timeout) {
  DeliveryResult result;
  if (argv.empty()) {
    result.detail = "command notifier has an empty argv";
    return result;
  }
  const char* inherited_path = std::getenv("PATH");
  const std::string path =
      inherited_path != nullptr ? inherited_path : "/usr/local/bin:/usr/bin:/bin";
  const std::string program = resolve_program(argv[0], path);
  if (program.empty()) {
    result.detail = "\"" + argv[0] + "\" not found on PATH";
    return result;
  }
  std::vector<std::string> env_strings = command_environment(notification, path, daemon_url);
  std::vector<char*> envp = c_strings(env_strings);
  std::vector<std::string> args = argv;
  std::vector<char*> argp = c_strings(args);

  const pid_t pid = spawn(program, argp, envp);
  if (pid < 0) {
    result.detail = "fork failed";
    return result;
  }
  int status = 0;
  if (!wait_until(pid, status, std::chrono::steady_clock::now() + timeout)) {
    kill_group(pid, status);
    result.detail = "killed after " + config::format_duration(timeout);
    return result;
  }
  return outcome_of(status, program);
}

} // namespace homectl::watchdog
