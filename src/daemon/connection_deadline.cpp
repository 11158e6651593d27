#include "homectl/daemon/connection_deadline.hpp"

#include <boost/system/error_code.hpp>

#include <algorithm>

namespace homectl::daemon {

struct ConnectionDeadline::State {
  State(const boost::asio::any_io_executor& executor, boost::asio::ip::tcp::socket& connection,
        Clock::duration wake_at_least)
      : timer(executor), socket(&connection), tick(wake_at_least) {}

  boost::asio::steady_timer timer;
  boost::asio::ip::tcp::socket* socket; // null once the connection is done with the deadline
  Clock::duration tick;
  Clock::time_point deadline = Clock::time_point::max();
  Clock::time_point armed = Clock::time_point::max(); // when the pending wait ends
  bool waiting = false;
  bool expired = false;
};

ConnectionDeadline::ConnectionDeadline(const boost::asio::any_io_executor& executor,
                                       boost::asio::ip::tcp::socket& socket, Clock::duration tick)
    : m_state(std::make_shared<State>(executor, socket, tick)) {}

ConnectionDeadline::~ConnectionDeadline() {
  m_state->socket = nullptr;
  m_state->timer.cancel();
}

void ConnectionDeadline::expires_after(Clock::duration timeout) {
  auto& state = *m_state;
  state.deadline = Clock::now() + timeout;
  if (!state.waiting) {
    arm(m_state);
  } else if (state.deadline < state.armed) {
    state.timer.cancel(); // the wait ends now and re-arms for the earlier deadline
  }
}

void ConnectionDeadline::expires_never() {
  m_state->deadline = Clock::time_point::max();
}

bool ConnectionDeadline::expired() const {
  return m_state->expired;
}

void ConnectionDeadline::arm(const std::shared_ptr<State>& state) {
  const auto now = Clock::now();
  if (state->deadline == Clock::time_point::max()) {
    state->waiting = false; // nothing to enforce: the next expires_after starts a wait
    return;
  }
  state->armed = std::min(state->deadline, now + state->tick);
  state->waiting = true;
  state->timer.expires_at(state->armed);
  state->timer.async_wait([state](const boost::system::error_code&) {
    state->waiting = false;
    if (state->socket == nullptr) {
      return; // the connection is gone
    }
    if (state->deadline != Clock::time_point::max() && Clock::now() >= state->deadline) {
      state->expired = true;
      boost::system::error_code ignored;
      state->socket->close(ignored);
      return;
    }
    arm(state);
  });
}

} // namespace homectl::daemon
