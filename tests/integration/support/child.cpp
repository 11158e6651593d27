#include "support/child.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

namespace homectl::test {

using namespace std::chrono_literals;

namespace {

int open_output(const std::string& path) {
  return ::open(path.empty() ? "/dev/null" : path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
}

} // namespace

pid_t spawn_child(const std::vector<std::string>& argv, const std::string& out_path,
                  const std::string& err_path) {
  std::vector<std::string> copy = argv;
  std::vector<char*> pointers;
  for (auto& a : copy) {
    pointers.push_back(a.data());
  }
  pointers.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Never outlive a crashed test binary.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(127);
    }
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = open_output(out_path);
    const int err = err_path == out_path ? out : open_output(err_path);
    if (in >= 0) {
      ::dup2(in, 0);
    }
    if (out >= 0) {
      ::dup2(out, 1);
    }
    if (err >= 0) {
      ::dup2(err, 2);
    }
    ::execv(pointers[0], pointers.data());
    ::_exit(127);
  }
  return pid;
}

bool child_exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

void stop_child(pid_t& pid, int signal_number, std::chrono::milliseconds grace) {
  if (pid <= 0) {
    return;
  }
  ::kill(pid, signal_number);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (signal_number != SIGKILL && std::chrono::steady_clock::now() < deadline) {
    if (child_exited(pid)) {
      pid = -1;
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  pid = -1;
}

bool wait_child_ready(pid_t& pid, const std::function<bool()>& ready,
                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (child_exited(pid)) {
      pid = -1;
      return false;
    }
    if (ready()) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  stop_child(pid, SIGKILL);
  return false;
}

bool loopback_accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

} // namespace homectl::test
