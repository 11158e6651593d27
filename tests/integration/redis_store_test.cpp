#include "homectl/daemon/redis_store.hpp"
#include "homectl/redis/commands.hpp"
#include "homectl/redis/subscriber.hpp"

#include "support/redis_server.hpp"
#include "support/redis_test_util.hpp"

#include <mutex>

#include <gtest/gtest.h>

namespace homectl::daemon {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::eventually;
using test::RedisServer;
using test::run_test_coroutine;

// A source max_size that leaves redis.max_value_size (1000 here) the limit.
constexpr std::size_t k_any_size = std::size_t{1} << 20;

redis::ClientOptions quick_options() {
  redis::ClientOptions options;
  options.connect_timeout = 1000ms;
  options.command_timeout = 1000ms;
  options.backoff_base = 50ms;
  options.backoff_cap = 300ms;
  return options;
}

using test::endpoint_of;

config::RedisConfig store_config(const std::string& url) {
  config::RedisConfig config;
  config.url = url;
  config.prefix = "t:";
  config.max_ttl = 60s;
  config.max_value_size = 1000;
  return config;
}

sources::StoredEntry entry_with(std::string body) {
  sources::StoredEntry entry;
  entry.body = std::move(body);
  entry.content_type = "text/plain";
  entry.etag = "\"e1\"";
  entry.fetched_wall = std::chrono::system_clock::time_point(std::chrono::seconds(1'790'000'000));
  return entry;
}

TEST(RedisStore, StoresLoadsAndCapsTtl) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  redis::Client client(io.get_executor(), endpoint_of(server.url()), quick_options());
  client.start();
  RedisStore store(io.get_executor(), client, store_config(server.url()), "me");
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s));
    co_await store.store("weather", entry_with("sunny"), std::chrono::hours(100));
    auto loaded = co_await store.load("weather", k_any_size);
    EXPECT_TRUE(loaded.has_value());
    if (loaded) {
      EXPECT_EQ(loaded->body, "sunny");
      EXPECT_EQ(loaded->etag, "\"e1\"");
      EXPECT_EQ(loaded->content_type, "text/plain");
    }
    // Too large: skipped, the old entry stays.
    co_await store.store("weather", entry_with(std::string(1001, 'x')), 10s);
    auto kept = co_await store.load("weather", k_any_size);
    EXPECT_TRUE(kept && kept->body == "sunny");
    EXPECT_FALSE((co_await store.load("nothing", k_any_size)).has_value());
    client.close();
  });
  const auto ttl = server.query({"PTTL", "t:cache:weather"});
  ASSERT_EQ(ttl.rfind("(integer) ", 0), 0U) << ttl;
  const auto ms = std::stoll(ttl.substr(10));
  EXPECT_GT(ms, 0);
  EXPECT_LE(ms, 60'000); // capped by max_ttl
}

TEST(RedisStore, MalformedEntryReadsAsMissing) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  server.query({"SET", "t:cache:weather", "garbage", "PX", "60000"});
  asio::io_context io;
  redis::Client client(io.get_executor(), endpoint_of(server.url()), quick_options());
  client.start();
  RedisStore store(io.get_executor(), client, store_config(server.url()), "me");
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s));
    EXPECT_FALSE((co_await store.load("weather", k_any_size)).has_value());
    client.close();
  });
  EXPECT_EQ(store.reject_stats().invalid, 1U);
  EXPECT_EQ(store.reject_stats().too_large, 0U);
}

TEST(RedisStore, OversizedOrForeignEntriesAreRefusedAndCounted) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  // Over redis.max_value_size (1000 bytes): never transferred.
  server.query({"SET", "t:cache:huge", encode_entry(entry_with(std::string(200'000, 'h')))});
  // Within redis.max_value_size, but over the reading source's max_size.
  server.query({"SET", "t:cache:wide", encode_entry(entry_with(std::string(600, 'w')))});
  server.query({"RPUSH", "t:cache:list", "a"});
  asio::io_context io;
  redis::Client client(io.get_executor(), endpoint_of(server.url()), quick_options());
  client.start();
  RedisStore store(io.get_executor(), client, store_config(server.url()), "me");
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s));
    EXPECT_FALSE((co_await store.load("huge", k_any_size)).has_value());
    EXPECT_FALSE((co_await store.load("wide", 500)).has_value());
    auto wide = co_await store.load("wide", 600);
    EXPECT_TRUE(wide && wide->body.size() == 600U);
    EXPECT_FALSE((co_await store.load("list", k_any_size)).has_value());
    EXPECT_TRUE(client.up()) << "a refused entry must not cost the connection";
    client.close();
  });
  EXPECT_EQ(store.reject_stats().too_large, 2U);
  EXPECT_EQ(store.reject_stats().invalid, 1U);
}

TEST(RedisStore, LockIsExclusiveAndOnlyTheOwnerReleasesIt) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  redis::Client client(io.get_executor(), endpoint_of(server.url()), quick_options());
  client.start();
  RedisStore first(io.get_executor(), client, store_config(server.url()), "first");
  RedisStore second(io.get_executor(), client, store_config(server.url()), "second");
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s));
    EXPECT_TRUE(co_await first.try_lock("weather", 10s));
    EXPECT_FALSE(co_await second.try_lock("weather", 10s));
    co_await second.unlock("weather"); // not its lock: must stay
    EXPECT_FALSE(co_await second.try_lock("weather", 10s));
    co_await first.unlock("weather");
    EXPECT_TRUE(co_await second.try_lock("weather", 10s));
    client.close();
  });
  EXPECT_EQ(server.query({"GET", "t:lock:weather"}), "second");
  const auto ttl = server.query({"PTTL", "t:lock:weather"});
  EXPECT_NE(ttl, "(integer) -1");
}

TEST(RedisStore, PublishesEventsAsCompactJson) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  std::mutex mutex;
  std::vector<std::string> received;
  redis::Subscriber subscriber(
      io.get_executor(), endpoint_of(server.url()),
      [&](const std::string&, const std::string& payload) {
        std::lock_guard lock(mutex);
        received.push_back(payload);
      },
      quick_options());
  subscriber.subscribe({"t:events"});
  subscriber.start();
  redis::Client client(io.get_executor(), endpoint_of(server.url()), quick_options());
  client.start();
  RedisStore store(io.get_executor(), client, store_config(server.url()), "me");
  sources::Event event{"source.updated", "weather", "\"e1\"", "2026-11-26T12:00:00Z", ""};
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up() && subscriber.up(); }, 5s));
    store.publish(event);
    EXPECT_TRUE(co_await eventually(
        [&] {
          std::lock_guard lock(mutex);
          return !received.empty();
        },
        5s));
    EXPECT_TRUE(co_await eventually([&] { return store.publish_stats().ok == 1; }, 5s));
    client.close();
    subscriber.close();
  });
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(received[0], event.to_json());
  EXPECT_EQ(store.publish_stats().dropped, 0U);
}

TEST(RedisStore, DownStoreDegradesToIndependentFetching) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer server;
  asio::io_context io;
  redis::Client client(io.get_executor(), endpoint_of(server.url()), quick_options());
  client.start();
  RedisStore store(io.get_executor(), client, store_config(server.url()), "me");
  run_test_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await eventually([&] { return client.up(); }, 5s));
    server.kill();
    EXPECT_TRUE(co_await eventually([&] { return !client.up(); }, 10s));
    EXPECT_TRUE(co_await store.try_lock("weather", 10s));
    EXPECT_FALSE((co_await store.load("weather", k_any_size)).has_value());
    co_await store.store("weather", entry_with("x"), 10s);
    store.publish(sources::Event{"source.updated", "weather", "", "2026-11-26T12:00:00Z", ""});
    EXPECT_EQ(store.publish_stats().dropped, 1U);
    client.close();
  });
}

} // namespace
} // namespace homectl::daemon
