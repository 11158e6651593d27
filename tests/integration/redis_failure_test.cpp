#include "homectl/redis/client.hpp"

#include "support/redis_server.hpp"
#include "support/redis_test_util.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace homectl::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::error_of;
using test::eventually;
using test::RedisServer;
using test::run_test_coroutine;

// A TCP server on loopback that answers every connection with fixed bytes
// (e.g. an HTTP response) and hangs up: something that is not Redis.
class NotRedisServer {
public:
  // `answer` goes out on accept; `later`, when given, 200 ms after it.
  explicit NotRedisServer(std::string answer, std::string later = {})
      : m_answer(std::move(answer)), m_later(std::move(later)) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(m_fd, 16) != 0 ||
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { serve(); });
  }
  ~NotRedisServer() {
    m_stop = true;
    m_thread.join();
    ::close(m_fd);
  }
  std::uint16_t port() const { return m_port; }
  int connections() const { return m_connections.load(); }

private:
  void serve() {
    while (!m_stop) {
      pollfd p{m_fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) {
        continue;
      }
      int client = ::accept(m_fd, nullptr, nullptr);
      if (client < 0) {
        continue;
      }
      ++m_connections;
      [[maybe_unused]] auto n = ::write(client, m_answer.data(), m_answer.size());
      if (!m_later.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        n = ::write(client, m_later.data(), m_later.size());
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      ::shutdown(client, SHUT_WR);
      ::close(client);
    }
  }

  std::string m_answer;
  std::string m_later;
  int m_fd = -1;
  std::uint16_t m_port = 0;
  std::thread m_thread;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_connections{0};
};

using test::endpoint_of;

// Deterministic backoff (always the ceiling): 100, 200, 400, 400, ... ms.
ClientOptions ceiling_backoff() {
  ClientOptions options;
  options.connect_timeout = 1000ms;
  options.backoff_base = 100ms;
  options.backoff_cap = 400ms;
  options.random = [] { return 1.0; };
  return options;
}

// Starts `client`, waits until it reports a failure, then lets `observe` pass
// and returns the stats: the caller checks the message and that retries are spaced.
ClientStats failing_client_stats(asio::io_context& io, Client& client,
                                 std::chrono::milliseconds observe = 1500ms) {
  client.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return !client.stats().last_error.empty(); }, 5s));
    co_await test::pause(observe);
    EXPECT_FALSE(client.up());
    auto rejected = co_await client.command(argv("PING"));
    EXPECT_NE(error_of(rejected).find("not connected (last error: "), std::string::npos)
        << error_of(rejected);
    client.close();
  });
  return client.stats();
}

// Retries keep going but are spaced by the backoff: within 1.5 s at most ~6
// attempts (100+200+400+400+400 ms), not a hot loop.
void expect_bounded_retries(const ClientStats& stats) {
  EXPECT_GE(stats.reconnects, 2u) << "keeps retrying";
  EXPECT_LE(stats.reconnects, 7u) << "retries are spaced by the backoff";
  EXPECT_EQ(stats.connects, 0u);
}

TEST(RedisClientFailure, WrongPasswordIsAClearErrorWithoutTheSecret) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server({"--requirepass", "right-secret"});
  asio::io_context io;
  Client client(io.get_executor(),
                endpoint_of("redis://:not-the-secret@127.0.0.1:" + std::to_string(server.port())),
                ceiling_backoff());
  auto stats = failing_client_stats(io, client);
  EXPECT_EQ(stats.last_error,
            "redis://<redacted>@127.0.0.1:" + std::to_string(server.port()) +
                ": authentication failed: WRONGPASS invalid username-password pair or user is "
                "disabled.");
  EXPECT_EQ(stats.last_error.find("not-the-secret"), std::string::npos);
  expect_bounded_retries(stats);
}

TEST(RedisClientFailure, MissingPasswordSaysAuthenticationIsRequired) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server({"--requirepass", "right-secret"});
  asio::io_context io;
  Client client(io.get_executor(), endpoint_of(server.url()), ceiling_backoff());
  auto stats = failing_client_stats(io, client, 200ms);
  EXPECT_NE(stats.last_error.find("authentication required (the URL has no password): NOAUTH"),
            std::string::npos)
      << stats.last_error;
}

TEST(RedisClientFailure, UserAndPasswordAuthenticate) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_EQ(server.query({"ACL", "SETUSER", "homectl", "on", ">pw", "~*", "+@all"}), "OK");
  asio::io_context io;
  Client client(io.get_executor(),
                endpoint_of("redis://homectl:pw@127.0.0.1:" + std::to_string(server.port())),
                ceiling_backoff());
  client.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s)) << client.stats().last_error;
    auto who = co_await client.command(argv("ACL", "WHOAMI"));
    EXPECT_EQ(who.ok() ? who->text() : error_of(who), "homectl");
    client.close();
  });
}

TEST(RedisClientFailure, WrongDatabaseIndexIsAClearError) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  Client client(io.get_executor(), endpoint_of(server.url() + "/99"), ceiling_backoff());
  auto stats = failing_client_stats(io, client);
  EXPECT_EQ(stats.last_error,
            server.url() + "/99: cannot select database 99: ERR DB index is out of range");
  expect_bounded_retries(stats);
}

TEST(RedisClientFailure, NonRedisServerIsNamedAsSuch) {
  NotRedisServer http("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  asio::io_context io;
  Client client(io.get_executor(), endpoint_of("redis://127.0.0.1:" + std::to_string(http.port())),
                ceiling_backoff());
  auto stats = failing_client_stats(io, client);
  EXPECT_EQ(stats.last_error, "redis://127.0.0.1:" + std::to_string(http.port()) +
                                  ": not a Redis server (Protocol error, got \"H\" as reply type "
                                  "byte)");
  expect_bounded_retries(stats);
  EXPECT_LE(http.connections(), 8);
}

TEST(RedisClientFailure, ChattyNonRedisServerDoesNotCrashTheClient) {
  // Valid RESP, but more replies than commands: hiredis must not see them unsolicited.
  NotRedisServer chatty("+OK\r\n+OK\r\n+OK\r\n+OK\r\n");
  asio::io_context io;
  Client client(io.get_executor(),
                endpoint_of("redis://127.0.0.1:" + std::to_string(chatty.port())),
                ceiling_backoff());
  auto stats = failing_client_stats(io, client, 300ms);
  EXPECT_EQ(stats.last_error, "redis://127.0.0.1:" + std::to_string(chatty.port()) +
                                  ": not a Redis server (PING answered OK)");
}

TEST(RedisClientFailure, HugeArrayReplyIsRefusedNotAllocated) {
  // hiredis alone would calloc 12 GB for this answer to PING.
  NotRedisServer huge("*1500000000\r\n");
  asio::io_context io;
  Client client(io.get_executor(), endpoint_of("redis://127.0.0.1:" + std::to_string(huge.port())),
                ceiling_backoff());
  auto stats = failing_client_stats(io, client, 300ms);
  EXPECT_EQ(stats.last_error, "redis://127.0.0.1:" + std::to_string(huge.port()) +
                                  ": not a Redis server (an array reply of 1500000000 elements, "
                                  "more than the 1024 accepted)");
}

TEST(RedisClientFailure, UnsolicitedReplyAfterConnectIsAProtocolError) {
  // Answers PING like Redis, then speaks out of turn once the client is idle.
  NotRedisServer odd("+PONG\r\n", "+surprise\r\n");
  asio::io_context io;
  Client client(io.get_executor(), endpoint_of("redis://127.0.0.1:" + std::to_string(odd.port())),
                ceiling_backoff());
  client.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.stats().connects >= 1; }, 5s));
    EXPECT_TRUE(co_await eventually([&] { return !client.stats().last_error.empty(); }, 5s));
    client.close();
  });
  EXPECT_EQ(client.stats().last_error,
            "redis://127.0.0.1:" + std::to_string(odd.port()) +
                ": connection lost (not a Redis server (unsolicited reply))");
}

TEST(RedisClientFailure, SilentServerHitsTheConnectDeadline) {
  // Accepts (the kernel does, via the backlog) but never answers.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto port = ntohs(addr.sin_port);
  asio::io_context io;
  auto options = ceiling_backoff();
  options.connect_timeout = 300ms;
  Client client(io.get_executor(), endpoint_of("redis://127.0.0.1:" + std::to_string(port)),
                options);
  auto stats = failing_client_stats(io, client, 100ms);
  ::close(fd);
  EXPECT_EQ(stats.last_error, "redis://127.0.0.1:" + std::to_string(port) +
                                  ": connect timed out after 300ms (waiting for PING)");
}

TEST(RedisClientFailure, UnreachablePortIsAConnectErrorRetriedWithBackoff) {
  auto port = test::free_loopback_port(); // nothing listens there
  asio::io_context io;
  Client client(io.get_executor(), endpoint_of("redis://127.0.0.1:" + std::to_string(port)),
                ceiling_backoff());
  auto stats = failing_client_stats(io, client);
  EXPECT_EQ(stats.last_error,
            "redis://127.0.0.1:" + std::to_string(port) + ": cannot connect: Connection refused");
  expect_bounded_retries(stats);
}

TEST(RedisClientFailure, UnresolvableHostIsAClearError) {
  asio::io_context io;
  // .invalid never resolves (RFC 6761); the lookup runs off the event loop.
  Client client(io.get_executor(), endpoint_of("redis://redis.homectl.invalid:6379"),
                ceiling_backoff());
  auto stats = failing_client_stats(io, client, 100ms);
  EXPECT_TRUE(stats.last_error.starts_with(
      "redis://redis.homectl.invalid:6379: cannot resolve \"redis.homectl.invalid\""))
      << stats.last_error;
}

TEST(RedisClientFailure, ResolvesLocalhostAndConnects) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  Client client(io.get_executor(),
                endpoint_of("redis://localhost:" + std::to_string(server.port())),
                ceiling_backoff());
  client.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s)) << client.stats().last_error;
    client.close();
  });
}

} // namespace
} // namespace homectl::redis
