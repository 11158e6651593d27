#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// The systemd notify protocol, implemented directly: one datagram per message
// to $NOTIFY_SOCKET (a path, or an abstract name written "@name"). Without
// the variable every call is a no-op, so the daemon runs the same outside systemd.
namespace homectl::util {

class SystemdNotifier {
public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment.
  SystemdNotifier();
  // For tests: an explicit socket address ("" = disabled) and watchdog settings.
  SystemdNotifier(std::string socket, std::optional<std::chrono::microseconds> watchdog);
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  bool enabled() const { return !m_socket.empty(); }

  // Sends one message such as "READY=1\nSTATUS=serving". Never blocks; returns
  // false when there is no socket or the datagram could not be sent.
  bool notify(std::string_view message) const;

  void ready(std::string_view status) const;
  void status(std::string_view status) const;
  void stopping(std::string_view status) const;
  // RELOADING=1 with MONOTONIC_USEC, as Type=notify-reload expects.
  void reloading() const;
  void watchdog() const;

  // The keep-alive ping interval (half of WATCHDOG_USEC), when the watchdog is
  // enabled for this process (WATCHDOG_PID unset or ours).
  std::optional<std::chrono::microseconds> watchdog_interval() const;

private:
  std::string m_socket;
  std::optional<std::chrono::microseconds> m_watchdog;
  int m_fd = -1;
};

} // namespace homectl::util
