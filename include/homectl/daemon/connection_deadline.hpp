#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <tuple>

namespace homectl::daemon {

// The time limit of whatever a connection is waiting for (the next request,
// a header, a body, a write), enforced by one timer per connection.
//
// Moving the deadline is a plain store: the timer is only re-armed when it
// fires (at most once per `tick` while the deadline keeps moving on) or when
// a deadline earlier than its expiry is set. So a busy keep-alive connection
// costs no timer operation per request, where a timer per read or write costs
// a start, a cancel and an extra completion each.
//
// When the deadline passes the socket is closed, which fails the pending
// operation; expired() then tells a timeout from a reset. The timer runs on
// `executor`, which must be the one the connection runs on (its strand).
class ConnectionDeadline {
public:
  using Clock = std::chrono::steady_clock;

  ConnectionDeadline(const boost::asio::any_io_executor& executor,
                     boost::asio::ip::tcp::socket& socket, Clock::duration tick);
  // Stops the timer; the socket is not touched after this.
  ~ConnectionDeadline();
  ConnectionDeadline(const ConnectionDeadline&) = delete;
  ConnectionDeadline& operator=(const ConnectionDeadline&) = delete;

  void expires_after(Clock::duration timeout);
  void expires_never();
  // True once a deadline passed (and the socket was closed).
  bool expired() const;

private:
  struct State;
  static void arm(const std::shared_ptr<State>& state);

  std::shared_ptr<State> m_state; // shared with the pending wait
};

// Writes all of `buffers` to `socket`; the deadline closes the connection
// once the write makes no progress for `timeout`. So a slow but steady reader
// of a large answer is served and a client that stopped reading is not.
// Progress is what the kernel takes: with a full send buffer that is about
// a third of the buffer at a time.
//
// Most answers fit in the socket's send buffer, so a non-blocking write is
// tried first: when it takes everything, the answer is out without waiting
// and without a trip through the scheduler. (This puts the socket in
// non-blocking mode, which only matters to its synchronous operations.)
template <typename Buffers>
boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>
write_with_progress_deadline(boost::asio::ip::tcp::socket& socket, ConnectionDeadline& deadline,
                             ConnectionDeadline::Clock::duration timeout, const Buffers& buffers) {
  constexpr std::size_t k_step = 64 * 1024; // the most one write call is given
  boost::system::error_code ec;
  if (!socket.non_blocking()) {
    socket.non_blocking(true, ec);
  }
  std::size_t done = 0;
  if (!ec) {
    done = socket.write_some(buffers, ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
      ec = {};
    }
  }
  if (ec || done == boost::asio::buffer_size(buffers)) {
    co_return std::make_tuple(ec, done);
  }
  boost::beast::buffers_suffix<Buffers> rest(buffers);
  rest.consume(done);
  deadline.expires_after(timeout);
  std::size_t progress = 0;
  auto [write_ec, written] = co_await boost::asio::async_write(
      socket, rest,
      [&deadline, &progress, timeout](const boost::system::error_code& error,
                                      std::size_t so_far) -> std::size_t {
        if (error) {
          return 0;
        }
        if (so_far != progress) {
          progress = so_far;
          deadline.expires_after(timeout);
        }
        return k_step;
      },
      boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return std::make_tuple(write_ec, done + written);
}

} // namespace homectl::daemon
