#include "homectl/redis/client.hpp"
#include "homectl/redis/commands.hpp"
#include "homectl/redis/subscriber.hpp"

#include "support/redis_server.hpp"
#include "support/redis_test_util.hpp"

#include <gtest/gtest.h>

namespace homectl::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::error_of;
using test::eventually;
using test::RedisServer;
using test::run_test_coroutine;

struct Received {
  std::string channel;
  std::string payload;
};

ClientOptions quick_options() {
  ClientOptions options;
  options.connect_timeout = 1000ms;
  options.backoff_base = 50ms;
  options.backoff_cap = 300ms;
  return options;
}

using test::endpoint_of;

TEST(RedisSubscriber, ReceivesPublishedMessagesAndResubscribesAfterRestart) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  std::vector<Received> received;
  Subscriber subscriber(
      io.get_executor(), endpoint_of(server.url()),
      [&](const std::string& channel, const std::string& payload) {
        received.push_back({channel, payload});
      },
      quick_options());
  subscriber.subscribe({"homectl:events"});
  subscriber.start();
  Client client(io.get_executor(), endpoint_of(server.url()), quick_options());
  client.start();

  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return subscriber.up() && client.up(); }, 5s))
        << subscriber.stats().last_error;
    const std::string event = std::string("{\"v\":1,\"type\":\"source.updated\"}\0\xff", 33);
    auto listeners = co_await publish(client, "homectl:events", event);
    EXPECT_EQ(listeners.ok() ? *listeners : -1, 1) << error_of(listeners);
    EXPECT_TRUE(co_await eventually([&] { return received.size() == 1; }, 5s));
    if (received.size() == 1) {
      EXPECT_EQ(received[0].channel, "homectl:events");
      EXPECT_EQ(received[0].payload, event) << "payloads are binary-safe";
    }

    // A channel added while connected is subscribed at once.
    subscriber.subscribe({"homectl:other"});
    EXPECT_TRUE(co_await eventually(
        [&] {
          return server.query({"PUBSUB", "NUMSUB", "homectl:other"}) ==
                 "homectl:other\n(integer) 1";
        },
        5s));

    server.kill();
    EXPECT_TRUE(co_await eventually([&] { return !subscriber.up() && !client.up(); }, 5s));
    server.restart();
    EXPECT_TRUE(co_await eventually([&] { return subscriber.up() && client.up(); }, 5s))
        << "reconnects after restart: " << subscriber.stats().last_error;
    auto again = co_await publish(client, "homectl:events", "after restart");
    EXPECT_EQ(again.ok() ? *again : -1, 1) << "re-subscribed after reconnect";
    auto other = co_await publish(client, "homectl:other", "other");
    EXPECT_EQ(other.ok() ? *other : -1, 1);
    EXPECT_TRUE(co_await eventually([&] { return received.size() == 3; }, 5s));
    if (received.size() == 3) {
      EXPECT_EQ(received[1].payload, "after restart");
      EXPECT_EQ(received[2].channel, "homectl:other");
    }

    // After close() the handler never runs again.
    subscriber.close();
    EXPECT_FALSE(subscriber.up());
    co_await publish(client, "homectl:events", "after close");
    co_await test::pause(100ms);
    EXPECT_EQ(received.size(), 3u);
    client.close();
  });
  auto stats = subscriber.stats();
  EXPECT_EQ(stats.messages, 3u);
  EXPECT_EQ(stats.connects, 2u);
  EXPECT_GE(stats.reconnects, 1u);
}

TEST(RedisSubscriber, WrongPasswordIsReportedLikeTheClient) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server({"--requirepass", "right-secret"});
  asio::io_context io;
  Subscriber subscriber(
      io.get_executor(), endpoint_of("redis://:nope@127.0.0.1:" + std::to_string(server.port())),
      [](const std::string&, const std::string&) {}, quick_options());
  subscriber.subscribe({"homectl:events"});
  subscriber.start();
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return !subscriber.stats().last_error.empty(); }, 5s));
    subscriber.close();
  });
  EXPECT_NE(subscriber.stats().last_error.find("authentication failed: WRONGPASS"),
            std::string::npos)
      << subscriber.stats().last_error;
  EXPECT_FALSE(subscriber.up());
}

TEST(RedisSubscriber, DestroyingWhilePendingLeavesNoCallbacks) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  int calls = 0;
  {
    Subscriber subscriber(
        io.get_executor(), endpoint_of(server.url()),
        [&](const std::string&, const std::string&) { ++calls; }, quick_options());
    subscriber.subscribe({"homectl:events"});
    subscriber.start();
    run_test_coroutine(io, [&]() -> asio::awaitable<void> {
      EXPECT_TRUE(co_await eventually([&] { return subscriber.up(); }, 5s));
    });
    // A message arrives and is queued on the loop, then the subscriber dies.
    server.query({"PUBLISH", "homectl:events", "x"});
    io.run_for(20ms);
  }
  auto before = calls;
  server.query({"PUBLISH", "homectl:events", "y"});
  io.run_for(100ms);
  EXPECT_EQ(calls, before);
  EXPECT_LE(calls, 1);
}

} // namespace
} // namespace homectl::redis
