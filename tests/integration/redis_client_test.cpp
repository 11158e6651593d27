#include "homectl/redis/client.hpp"
#include "homectl/redis/commands.hpp"

#include "support/redis_server.hpp"
#include "support/redis_test_util.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <future>
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

using test::endpoint_of;

// Fast retries so recovery tests stay short.
ClientOptions quick_options() {
  ClientOptions options;
  options.connect_timeout = 1000ms;
  options.command_timeout = 1000ms;
  options.backoff_base = 50ms;
  options.backoff_cap = 300ms;
  return options;
}

TEST(RedisClient, SetGetBinaryValuesWithTtl) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  Client client(io.get_executor(), endpoint_of(server.url()), quick_options());
  client.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s)) << client.stats().last_error;
    const std::string value("bin\0ary\xff\r\n value", 17);
    auto stored = co_await set_px(client, "homectl:test:bin", value, 60s);
    EXPECT_TRUE(stored.ok()) << error_of(stored);
    auto read = co_await get(client, "homectl:test:bin");
    EXPECT_TRUE(read.ok());
    EXPECT_EQ(read.ok() ? read->value_or("(none)") : "", value);
    auto missing = co_await get(client, "homectl:test:missing");
    EXPECT_TRUE(missing.ok());
    EXPECT_FALSE(missing.ok() && missing->has_value());
    auto error = co_await client.command(argv("INCR", "homectl:test:bin"));
    EXPECT_TRUE(error.ok());
    EXPECT_TRUE(error.ok() && error->is_error()) << "a Redis error reply is a Reply, not an Error";
    client.close();
  });
  auto ttl = server.query({"PTTL", "homectl:test:bin"});
  EXPECT_TRUE(ttl.starts_with("(integer) ")) << ttl;
  EXPECT_GT(std::stoll(ttl.substr(10)), 0) << "every key carries a TTL";
  auto stats = client.stats();
  EXPECT_EQ(stats.commands_ok, 3u);
  EXPECT_EQ(stats.commands_error, 1u);
  EXPECT_EQ(stats.commands_timeout, 0u);
  EXPECT_EQ(stats.connects, 1u);
  EXPECT_TRUE(stats.last_ping_latency.has_value());
  EXPECT_FALSE(client.up());
}

TEST(RedisClient, ConnectsOverAUnixSocketAndSelectsTheDb) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  Client client(io.get_executor(), endpoint_of("unix://" + server.unix_socket() + "?db=3"),
                quick_options());
  client.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s)) << client.stats().last_error;
    auto stored = co_await set_px(client, "homectl:test:db3", "x", 60s);
    EXPECT_TRUE(stored.ok());
    client.close();
  });
  EXPECT_EQ(server.query({"GET", "homectl:test:db3"}), "(nil)") << "db 0 stays untouched";
  EXPECT_EQ(server.query({"DBSIZE"}), "(integer) 0");
}

TEST(RedisClient, LockIsExclusiveAndOnlyTheOwnerUnlocks) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  Client client(io.get_executor(), endpoint_of(server.url()), quick_options());
  client.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s));
    const std::string key = "homectl:lock:weather";
    auto a = co_await try_lock(client, key, "instance-a", 30s);
    EXPECT_TRUE(a.ok() && *a);
    auto b = co_await try_lock(client, key, "instance-b", 30s);
    EXPECT_TRUE(b.ok() && !*b) << "the lock is taken";
    auto wrong = co_await unlock(client, key, "instance-b");
    EXPECT_TRUE(wrong.ok() && !*wrong) << "b does not hold the lock";
    auto right = co_await unlock(client, key, "instance-a");
    EXPECT_TRUE(right.ok() && *right);
    auto again = co_await try_lock(client, key, "instance-b", 30s);
    EXPECT_TRUE(again.ok() && *again);
    auto listeners = co_await publish(client, "homectl:events", "{}");
    EXPECT_TRUE(listeners.ok() && *listeners == 0);
    client.close();
  });
  auto ttl = server.query({"PTTL", "homectl:lock:weather"});
  EXPECT_TRUE(ttl.starts_with("(integer) ") && std::stoll(ttl.substr(10)) > 0) << ttl;
}

TEST(RedisClient, FailsFastWhileDownAndReconnectsAfterRestart) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  Client client(io.get_executor(), endpoint_of(server.url()), quick_options());
  client.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s));
    // A command that is in flight when the server dies.
    std::optional<Result<Reply>> pending;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          pending = co_await client.command(argv("BLPOP", "homectl:test:never", "0"), 30s);
        },
        asio::detached);
    co_await test::pause(100ms);
    EXPECT_FALSE(pending.has_value()) << "BLPOP blocks";
    server.kill();
    EXPECT_TRUE(co_await eventually([&] { return pending.has_value(); }, 5s))
        << "the pending command must fail, not hang";
    if (pending) {
      EXPECT_FALSE(pending->ok());
      EXPECT_NE(error_of(*pending).find("BLPOP: connection lost"), std::string::npos)
          << error_of(*pending);
    }
    EXPECT_FALSE(client.up());
    auto started = std::chrono::steady_clock::now();
    auto down = co_await client.command(argv("GET", "k"));
    EXPECT_FALSE(down.ok());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 100ms) << "fails fast while down";
    EXPECT_NE(error_of(down).find("not connected"), std::string::npos) << error_of(down);

    server.restart();
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s))
        << "reconnects after restart: " << client.stats().last_error;
    auto pong = co_await client.command(argv("PING"));
    EXPECT_TRUE(pong.ok() && pong->text() == "PONG");
    client.close();
  });
  auto stats = client.stats();
  EXPECT_GE(stats.reconnects, 1u);
  EXPECT_EQ(stats.connects, 2u);
  EXPECT_GE(stats.commands_dropped, 2u);
  // The latest failure: the loss itself, or a refused retry while the server was down.
  EXPECT_TRUE(stats.last_error.find("connection lost (Server closed the connection)") !=
                  std::string::npos ||
              stats.last_error.find("cannot connect: Connection refused") != std::string::npos)
      << stats.last_error;
}

TEST(RedisClient, CommandDeadlineFailsTheCommandAndResetsTheConnection) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server({"--enable-debug-command", "local"});
  asio::io_context io;
  auto options = quick_options();
  options.connect_timeout = 3000ms;
  Client client(io.get_executor(), endpoint_of(server.url()), options);
  client.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s));
    auto started = std::chrono::steady_clock::now();
    auto slow = co_await client.command(argv("DEBUG", "SLEEP", "2"), 500ms);
    auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_FALSE(slow.ok());
    EXPECT_EQ(error_of(slow), "redis DEBUG timed out after 500ms");
    EXPECT_LT(elapsed, 1900ms) << "the deadline, not the server, ends the wait";
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 8s))
        << "a fresh connection replaces the stuck one: " << client.stats().last_error;
    auto pong = co_await client.command(argv("PING"));
    EXPECT_TRUE(pong.ok() && pong->text() == "PONG");
    client.close();
  });
  EXPECT_EQ(client.stats().commands_timeout, 1u);
  EXPECT_EQ(client.stats().connects, 2u);
}

TEST(RedisClient, InFlightLimitFailsExcessCommandsImmediately) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server({"--enable-debug-command", "local"});
  asio::io_context io;
  auto options = quick_options();
  options.max_in_flight = 4;
  Client client(io.get_executor(), endpoint_of(server.url()), options);
  client.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s));
    int finished = 0;
    int ok = 0;
    std::vector<std::string> errors;
    auto issue = [&](std::vector<std::string> args) -> asio::awaitable<void> {
      auto r = co_await client.command(std::move(args), 5s);
      ++finished;
      if (r.ok()) {
        ++ok;
      } else {
        errors.push_back(r.error().message);
      }
    };
    // The server is busy for 300 ms, so nothing completes while the rest queue up.
    asio::co_spawn(io, issue(argv("DEBUG", "SLEEP", "0.3")), asio::detached);
    for (int i = 0; i < 9; ++i) {
      asio::co_spawn(io, issue(argv("PING")), asio::detached);
    }
    EXPECT_TRUE(co_await eventually([&] { return finished == 10; }, 5s));
    EXPECT_EQ(ok, 4);
    EXPECT_EQ(errors.size(), 6u);
    for (const auto& e : errors) {
      EXPECT_EQ(e, "redis PING: too many commands in flight (limit 4)");
    }
    client.close();
  });
  EXPECT_EQ(client.stats().commands_dropped, 6u);
}

TEST(RedisClient, IdlePingDeadlineDetectsAStuckServer) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server({"--enable-debug-command", "local"});
  asio::io_context io;
  auto options = quick_options();
  options.ping_interval = 50ms;
  options.command_timeout = 300ms;
  options.connect_timeout = 3000ms;
  Client client(io.get_executor(), endpoint_of(server.url()), options);
  client.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s));
    // Another connection freezes the server for a second; the idle client
    // notices through its PING deadline, not by waiting forever.
    auto freeze = std::async(std::launch::async, [&] {
      return server.query({"DEBUG", "SLEEP", "1"});
    });
    EXPECT_TRUE(co_await eventually([&] { return !client.up(); }, 3s));
    EXPECT_EQ(freeze.get(), "OK");
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s)) << client.stats().last_error;
    client.close();
  });
  auto stats = client.stats();
  EXPECT_GE(stats.connects, 2u);
  EXPECT_EQ(stats.commands_timeout, 0u) << "internal PINGs are not user commands";
  EXPECT_NE(stats.last_error.find("PING timed out after 300ms"), std::string::npos)
      << stats.last_error;
  EXPECT_TRUE(stats.last_ping_latency.has_value());
}

TEST(RedisClient, CommandsMayBeAwaitedFromAnotherThreadsIoContext) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  Client client(io.get_executor(), endpoint_of(server.url()), quick_options());
  client.start();
  asio::io_context other;
  auto work = asio::make_work_guard(other);
  std::thread other_thread([&] { other.run(); });
  std::promise<std::string> answer;
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s));
    asio::co_spawn(
        other,
        [&]() -> asio::awaitable<void> {
          auto reply = co_await client.command(argv("ECHO", "across threads"));
          answer.set_value(reply.ok() ? reply->text() : error_of(reply));
        },
        asio::detached);
    auto future = answer.get_future();
    EXPECT_TRUE(
        co_await eventually([&] { return future.wait_for(0s) == std::future_status::ready; }, 5s));
    EXPECT_EQ(future.wait_for(0s) == std::future_status::ready ? future.get() : "",
              "across threads");
    client.close();
  });
  work.reset();
  other_thread.join();
}

} // namespace
} // namespace homectl::redis
