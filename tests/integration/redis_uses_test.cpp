// Redis in the real `homectl serve`: events on a real SUBSCRIBE connection,
// warm restarts from the shared cache, TTLs on every key, and surviving a
// kill -9 of redis-server. A real redis-server, a fake upstream on loopback.

#include "support/channel_listener.hpp"
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/observe.hpp"
#include "support/redis_server.hpp"

#include <csignal>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

namespace homectl::test {
namespace {

using nlohmann::json;

template <typename Probe>
bool eventually(Probe probe, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return probe();
}

json daemon_config(const FakeUpstream& up, const RedisServer& redis, json source_extra = {},
                   bool required = false) {
  json source = {{"url", up.url("/w")}, {"ttl", "1m"},  {"refresh", "off"},
                 {"timeout", "2s"},     {"retries", 0}, {"breaker_failures", 100}};
  if (source_extra.is_object()) {
    source.update(source_extra);
  }
  return json{{"redis", {{"url", redis.url()}, {"required", required}, {"prefix", "hc:"}}},
              {"sources", {{"weather", source}}}};
}

// True once the daemon's event subscriber is connected and subscribed (from
// /health); events published before that are, by design, not seen.
bool subscribed(const DaemonProcess& daemon) {
  const auto r = request(daemon.port(), "GET", "/health");
  return r && r->body.find("\"subscribed\":true") != std::string::npos;
}

// The `state` of a source in GET /v1/sources, "" when unknown.
std::string source_state(const DaemonProcess& daemon, const std::string& name) {
  const auto r = request(daemon.port(), "GET", "/v1/sources");
  if (!r || r->status != 200) {
    return "";
  }
  const auto body = json::parse(r->body, nullptr, false);
  if (!body.is_object() || !body.contains("sources")) {
    return "";
  }
  for (const auto& item : body["sources"]) {
    if (item.value("name", "") == name) {
      return item.value("state", "");
    }
  }
  return "";
}

// Status code of GET path, 0 when no answer.
int status_of(const DaemonProcess& daemon, const std::string& path) {
  const auto r = request(daemon.port(), "GET", path);
  return r ? r->status : 0;
}

TEST(RedisUses, EventsArePublishedAsDocumentedJson) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer redis;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":21})")});
  ChannelListener listener(redis.url(), "hc:events");
  ASSERT_TRUE(eventually([&] { return listener.up(); }));
  DaemonProcess daemon(daemon_config(up, redis));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(eventually([&] { return status_of(daemon, "/ready") == 200; })) << daemon.output();

  const auto r = request(daemon.port(), "GET", "/v1/sources/weather");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  ASSERT_TRUE(eventually([&] { return !listener.messages().empty(); })) << daemon.output();
  const auto payload = listener.messages().front();
  EXPECT_LT(payload.size(), 1024U);
  const auto event = json::parse(payload);
  EXPECT_EQ(event["v"], 1);
  EXPECT_EQ(event["type"], "source.updated");
  EXPECT_EQ(event["source"], "weather");
  EXPECT_EQ(event["etag"], r->header("ETag"));
  EXPECT_TRUE(std::regex_match(event["at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")))
      << event["at"];
  EXPECT_FALSE(event.contains("body"));

  const auto metrics = request(daemon.port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("homectl_redis_up 1"), std::string::npos) << metrics->body;
  const auto ping = metric_value(metrics->body, "homectl_redis_ping_latency_seconds");
  ASSERT_TRUE(ping) << metrics->body;
  EXPECT_GT(*ping, 0.0);
  EXPECT_LT(*ping, 1.0);
  EXPECT_NE(metrics->body.find("homectl_events_published_total{outcome=\"ok\"}"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("homectl_redis_commands_total{outcome=\"ok\"}"), std::string::npos);
}

TEST(RedisUses, RestartServesFromSharedCacheWithoutUpstreamAndKeysHaveTtls) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer redis;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":22})")});
  const auto config = daemon_config(up, redis, json{{"refresh", "10m"}});
  {
    DaemonProcess first(config);
    ASSERT_TRUE(first.start()) << first.output();
    ASSERT_TRUE(eventually([&] { return source_state(first, "weather") == "fresh"; }))
        << first.output();
    ASSERT_TRUE(eventually([&] {
      return redis.query({"EXISTS", "hc:cache:weather"}) == "(integer) 1";
    }));
    first.signal(SIGTERM);
    ASSERT_TRUE(first.wait_exit(10s)) << first.output();
  }
  EXPECT_EQ(up.count("/w"), 1);

  DaemonProcess second(config);
  ASSERT_TRUE(second.start()) << second.output();
  ASSERT_TRUE(eventually([&] { return source_state(second, "weather") == "fresh"; }))
      << second.output();
  const auto r = request(second.port(), "GET", "/v1/sources/weather");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"t":22})");
  EXPECT_EQ(up.count("/w"), 1) << "the restarted instance went upstream instead of using L2";

  // Nothing in Redis lives without a TTL.
  const auto keys = redis.query({"KEYS", "*"});
  EXPECT_NE(keys.find("hc:cache:weather"), std::string::npos) << keys;
  for (const auto* key : {"hc:cache:weather", "hc:lock:weather"}) {
    const auto ttl = redis.query({"PTTL", key});
    EXPECT_NE(ttl, "(integer) -1") << key << " has no TTL";
  }
  EXPECT_EQ(redis.query({"DBSIZE"}), "(integer) 1") << keys;
}

void expect_survives_redis_kill(bool required) {
  RedisServer redis;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":23})")});
  DaemonProcess daemon(daemon_config(up, redis, json::object(), required));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(eventually([&] { return status_of(daemon, "/ready") == 200; })) << daemon.output();
  ASSERT_EQ(status_of(daemon, "/v1/sources/weather"), 200);

  redis.kill();
  const int expected_ready = required ? 503 : 200;
  ASSERT_TRUE(eventually([&] {
    const auto r = request(daemon.port(), "GET", "/health");
    return r && r->body.find("unreachable") != std::string::npos;
  })) << daemon.output();
  EXPECT_EQ(status_of(daemon, "/ready"), expected_ready);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(status_of(daemon, "/v1/sources/weather"), 200) << "request " << i;
  }

  redis.restart();
  ASSERT_TRUE(eventually([&] {
    const auto r = request(daemon.port(), "GET", "/health");
    return r && r->body.find("unreachable") == std::string::npos;
  })) << daemon.output();
  EXPECT_EQ(status_of(daemon, "/ready"), 200);
  const auto health = request(daemon.port(), "GET", "/health");
  ASSERT_TRUE(health);
  const auto body = json::parse(health->body);
  const auto& check = body["checks"]["redis:connection"][0];
  EXPECT_EQ(check["status"], "pass") << health->body;
  EXPECT_GE(check["reconnects"].get<int>(), 1) << health->body;
}

TEST(RedisUses, KillOfRedisKeepsServingAndFailsReadyWhenRequired) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  expect_survives_redis_kill(true);
}

TEST(RedisUses, KillOfRedisKeepsServingAndOnlyWarnsWhenOptional) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  expect_survives_redis_kill(false);
}

TEST(RedisUses, AnotherInstancesRefreshReachesThisOneWithoutAnUpstreamCall) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer redis;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"v":1})"), FakeResponse::json(R"({"v":2})")});
  DaemonProcess a(daemon_config(up, redis));
  DaemonProcess b(daemon_config(up, redis));
  ASSERT_TRUE(a.start()) << a.output();
  ASSERT_TRUE(b.start()) << b.output();
  ASSERT_TRUE(eventually([&] { return subscribed(b); })) << b.output();

  // A fetches on demand and announces it; B adopts the entry from Redis.
  const auto first = request(a.port(), "GET", "/v1/sources/weather");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(first->body, R"({"v":1})");
  ASSERT_TRUE(eventually([&] { return source_state(b, "weather") == "fresh"; })) << b.output();
  const auto adopted = request(b.port(), "GET", "/v1/sources/weather");
  ASSERT_TRUE(adopted);
  EXPECT_EQ(adopted->body, R"({"v":1})");

  // A refreshes: B follows the new ETag, still without asking the upstream.
  const auto refreshed = request(a.port(), "POST", "/v1/sources/weather/refresh?wait=5s");
  ASSERT_TRUE(refreshed);
  ASSERT_EQ(refreshed->status, 200) << refreshed->body;
  EXPECT_TRUE(eventually([&] {
    const auto r = request(b.port(), "GET", "/v1/sources/weather");
    return r && r->status == 200 && r->body == R"({"v":2})";
  })) << b.output();
  EXPECT_EQ(up.count("/w"), 2) << "one upstream call per version, however many instances";
}

} // namespace
} // namespace homectl::test
