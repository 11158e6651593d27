#pragma once

#include <signal.h>

#include <chrono>

// SIGTERM/SIGINT handling for long-running commands (watchdog, metrics
// --watch): the signals are blocked and collected synchronously, so waiting
// for the next round doubles as waiting for a stop request.
namespace homectl::client {

class StopSignal {
public:
  // Blocks SIGTERM and SIGINT in the calling thread (call before starting threads).
  StopSignal();
  // Restores the previous signal mask.
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Waits up to `timeout`; true when a stop signal arrived (then or before).
  bool wait_for(std::chrono::milliseconds timeout);
  // True when a stop signal is pending, without waiting.
  bool requested();
  // The signal that asked to stop (0 when none).
  int signal() const { return m_signal; }

private:
  sigset_t m_old_mask{};
  int m_signal = 0;
};

} // namespace homectl::client
