// ConnectionDeadline on a real loopback connection: a deadline that passes
// closes the socket and fails the pending read; one that keeps moving on, or
// is lifted, never does.
#include "homectl/daemon/connection_deadline.hpp"

#include "support/redis_test_util.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace homectl::daemon {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto k_tuple = asio::as_tuple(asio::use_awaitable);

// A connected pair of loopback sockets: `server` is the side under a deadline.
struct Connection {
  explicit Connection(asio::io_context& io) : server(io), client(io) {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
  tcp::socket server;
  tcp::socket client;
};

// Reads one byte from `socket`; true when it arrived.
asio::awaitable<bool> read_byte(tcp::socket& socket) {
  std::array<char, 1> byte{};
  auto [ec, n] = co_await socket.async_read_some(asio::buffer(byte), k_tuple);
  co_return !ec && n == 1;
}

asio::awaitable<void> write_byte(tcp::socket& socket) {
  co_await asio::async_write(socket, asio::buffer("x", 1), k_tuple);
}

TEST(ConnectionDeadline, PassingDeadlineClosesTheSocketAndFailsTheRead) {
  asio::io_context io;
  Connection connection(io);
  ConnectionDeadline deadline(io.get_executor(), connection.server, 20ms);
  test::run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    const auto started = Clock::now();
    deadline.expires_after(100ms);
    EXPECT_FALSE(co_await read_byte(connection.server)) << "the client never writes";
    const auto waited = Clock::now() - started;
    EXPECT_TRUE(deadline.expired());
    EXPECT_FALSE(connection.server.is_open());
    EXPECT_GE(waited, 100ms);
    EXPECT_LT(waited, 2s);
  });
}

TEST(ConnectionDeadline, DeadlineMovedOnWithEveryReadNeverExpires) {
  asio::io_context io;
  Connection connection(io);
  // The tick is shorter than the deadline, so the timer fires and re-arms
  // several times while the deadline keeps moving on.
  ConnectionDeadline deadline(io.get_executor(), connection.server, 20ms);
  test::run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 8; ++i) { // 8 × 40 ms, well past one 100 ms deadline
      deadline.expires_after(100ms);
      co_await test::pause(40ms);
      co_await write_byte(connection.client);
      EXPECT_TRUE(co_await read_byte(connection.server)) << "round " << i;
    }
    EXPECT_FALSE(deadline.expired());
    EXPECT_TRUE(connection.server.is_open());
  });
}

TEST(ConnectionDeadline, EarlierDeadlineReplacesALaterOne) {
  asio::io_context io;
  Connection connection(io);
  ConnectionDeadline deadline(io.get_executor(), connection.server, 1h);
  test::run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    deadline.expires_after(1h); // the timer now waits an hour
    const auto started = Clock::now();
    deadline.expires_after(50ms);
    EXPECT_FALSE(co_await read_byte(connection.server));
    EXPECT_TRUE(deadline.expired());
    EXPECT_LT(Clock::now() - started, 2s);
  });
}

TEST(ConnectionDeadline, LiftedDeadlineLeavesTheConnectionOpen) {
  asio::io_context io;
  Connection connection(io);
  ConnectionDeadline deadline(io.get_executor(), connection.server, 20ms);
  test::run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    deadline.expires_after(50ms);
    deadline.expires_never();
    co_await test::pause(200ms);
    EXPECT_FALSE(deadline.expired());
    EXPECT_TRUE(connection.server.is_open());
    // A new deadline after a lifted one is enforced again.
    deadline.expires_after(50ms);
    EXPECT_FALSE(co_await read_byte(connection.server));
    EXPECT_TRUE(deadline.expired());
  });
}

// Small socket buffers on both ends, so the writer only progresses as fast as
// the reader drains.
void shrink_buffers(Connection& connection) {
  connection.server.set_option(asio::socket_base::send_buffer_size(16 * 1024));
  connection.client.set_option(asio::socket_base::receive_buffer_size(16 * 1024));
}

// Reads everything the peer sends, `step` bytes per `pause`, until `total` arrived or it closes.
asio::awaitable<std::size_t> drain(tcp::socket& socket, std::size_t total, std::size_t step,
                                   std::chrono::milliseconds pause) {
  std::vector<char> buffer(step);
  std::size_t received = 0;
  while (received < total) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), k_tuple);
    if (ec) {
      break;
    }
    received += n;
    co_await test::pause(pause);
  }
  co_return received;
}

TEST(ConnectionDeadline, SlowButSteadyReaderOutlastsTheWriteTimeout) {
  // 1 MiB at 16 KiB per 20 ms takes well over a second; the timeout is 300 ms
  // without progress, and progress comes every few tens of milliseconds.
  asio::io_context io;
  Connection connection(io);
  shrink_buffers(connection);
  ConnectionDeadline deadline(io.get_executor(), connection.server, 5s);
  const std::string answer(std::size_t{1} << 20, 'a');
  std::size_t written = 0;
  std::size_t read = 0;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        read = co_await drain(connection.client, answer.size(), 16 * 1024, 20ms);
      },
      asio::detached);
  test::run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    const auto started = Clock::now();
    auto [ec, n] = co_await write_with_progress_deadline(connection.server, deadline, 300ms,
                                                         asio::buffer(answer));
    EXPECT_FALSE(ec) << ec.message();
    written = n;
    EXPECT_GT(Clock::now() - started, 600ms) << "the write must outlast the timeout to prove it";
    EXPECT_TRUE(co_await test::eventually([&] { return read == answer.size(); }, 5s));
  });
  EXPECT_EQ(written, answer.size());
  EXPECT_FALSE(deadline.expired());
}

TEST(ConnectionDeadline, ReaderThatStopsIsDroppedAfterTheWriteTimeout) {
  asio::io_context io;
  Connection connection(io);
  shrink_buffers(connection);
  ConnectionDeadline deadline(io.get_executor(), connection.server, 5s);
  const std::string answer(std::size_t{1} << 20, 'a');
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await drain(connection.client, 128 * 1024, 16 * 1024, 10ms); // then stops reading
      },
      asio::detached);
  test::run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    auto [ec, n] = co_await write_with_progress_deadline(connection.server, deadline, 300ms,
                                                         asio::buffer(answer));
    EXPECT_TRUE(ec);
    EXPECT_LT(n, answer.size());
    EXPECT_TRUE(deadline.expired());
  });
}

TEST(ConnectionDeadline, DestroyedWhileWaitingLeavesTheSocketAlone) {
  asio::io_context io;
  Connection connection(io);
  {
    ConnectionDeadline deadline(io.get_executor(), connection.server, 10ms);
    deadline.expires_after(10ms);
  }
  io.run_for(100ms); // the cancelled wait completes after its owner is gone
  EXPECT_TRUE(connection.server.is_open());
}

} // namespace
} // namespace homectl::daemon
