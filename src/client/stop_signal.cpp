#include "homectl/client/stop_signal.hpp"

#include <signal.h>

#include <algorithm>
#include <cerrno>

namespace homectl::client {
namespace {

sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

} // namespace

StopSignal::StopSignal() {
  const sigset_t set = stop_set();
  pthread_sigmask(SIG_BLOCK, &set, &m_old_mask);
}

StopSignal::~StopSignal() {
  pthread_sigmask(SIG_SETMASK, &m_old_mask, nullptr);
}

bool StopSignal::wait_for(std::chrono::milliseconds timeout) {
  if (m_signal != 0) {
    return true;
  }
  const sigset_t set = stop_set();
  const auto ms = std::max<long long>(0, timeout.count());
  timespec ts{static_cast<time_t>(ms / 1000), static_cast<long>((ms % 1000) * 1'000'000)};
  while (true) {
    const int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig > 0) {
      m_signal = sig;
      return true;
    }
    if (errno == EINTR) {
      continue; // another signal; the remaining time is not tracked, a short overshoot is fine
    }
    return false; // EAGAIN: timed out
  }
}

bool StopSignal::requested() {
  return wait_for(std::chrono::milliseconds(0));
}

} // namespace homectl::client
