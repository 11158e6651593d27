#include "homectl/util/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace homectl::util {
namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

std::optional<long long> parse_number(const std::string& text) {
  long long value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value <= 0) {
    return std::nullopt;
  }
  return value;
}

// WATCHDOG_USEC applies to us when WATCHDOG_PID is unset or names this process.
std::optional<std::chrono::microseconds> watchdog_from_env() {
  const auto usec = parse_number(env_or_empty("WATCHDOG_USEC"));
  if (!usec) {
    return std::nullopt;
  }
  const auto pid_text = env_or_empty("WATCHDOG_PID");
  if (!pid_text.empty()) {
    const auto pid = parse_number(pid_text);
    if (!pid || *pid != static_cast<long long>(::getpid())) {
      return std::nullopt;
    }
  }
  return std::chrono::microseconds(*usec);
}

} // namespace

SystemdNotifier::SystemdNotifier()
    : SystemdNotifier(env_or_empty("NOTIFY_SOCKET"), watchdog_from_env()) {}

SystemdNotifier::SystemdNotifier(std::string socket,
                                 std::optional<std::chrono::microseconds> watchdog)
    : m_socket(std::move(socket)), m_watchdog(watchdog) {
  if (m_socket.empty()) {
    return;
  }
  if (m_socket.size() >= sizeof(sockaddr_un::sun_path) ||
      (m_socket.front() != '/' && m_socket.front() != '@')) {
    m_socket.clear(); // not an address we can send to: behave as outside systemd
    return;
  }
  m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (m_fd < 0) {
    m_socket.clear();
  }
}

SystemdNotifier::~SystemdNotifier() {
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

bool SystemdNotifier::notify(std::string_view message) const {
  if (m_fd < 0) {
    return false;
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, m_socket.data(), m_socket.size());
  if (m_socket.front() == '@') {
    address.sun_path[0] = '\0'; // abstract namespace
  }
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + m_socket.size());
  const auto sent = ::sendto(m_fd, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                             reinterpret_cast<const sockaddr*>(&address), length);
  return sent == static_cast<ssize_t>(message.size());
}

void SystemdNotifier::ready(std::string_view status) const {
  notify("READY=1\nSTATUS=" + std::string(status));
}

void SystemdNotifier::status(std::string_view status) const {
  notify("STATUS=" + std::string(status));
}

void SystemdNotifier::stopping(std::string_view status) const {
  notify("STOPPING=1\nSTATUS=" + std::string(status));
}

void SystemdNotifier::reloading() const {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const long long usec = static_cast<long long>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
  notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) +
         "\nSTATUS=reloading configuration");
}

void SystemdNotifier::watchdog() const {
  notify("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval() const {
  if (!m_watchdog || !enabled()) {
    return std::nullopt;
  }
  return *m_watchdog / 2;
}

} // namespace homectl::util
