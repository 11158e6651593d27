// Hostile JSON against the real `homectl serve`: documents nested deep enough
// that any recursive copy, dump or destruction of them overflows the stack.
// Every JSON document from outside is parsed by util::parse_json, which
// refuses more than 128 levels before building anything; an upstream body is
// then a failed refresh (reason invalid_body) and a Redis event is ignored.
#include "homectl/daemon/entry_codec.hpp"

#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/observe.hpp"
#include "support/redis_daemon.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>

namespace homectl::test {
namespace {

using nlohmann::json;

// `{"current":` + `[`×400000 + `]`×400000 + `}`: 800 KB, under the 1 MiB body
// cap, once a SIGSEGV on the first read of a source picking "/current".
std::string deep_document() {
  constexpr std::size_t k_levels = 400'000;
  return R"({"current":)" + std::string(k_levels, '[') + std::string(k_levels, ']') + "}";
}

constexpr std::string_view k_refused = "JSON nests deeper than 128 levels at byte 139";

json picking_source(const FakeUpstream& up, const std::string& path) {
  return {{"url", up.url(path)}, {"pick", {"/current"}}, {"ttl", "10m"},
          {"refresh", "off"},    {"retries", 0},         {"timeout", "5s"}};
}

TEST(HostileJson, DeepUpstreamBodyIsAFailedRefreshAndTheGoodValueIsKept) {
  FakeUpstream up;
  const std::string deep = deep_document();
  up.on("/warm", {FakeResponse::json(R"({"current":{"t":21.5}})"), FakeResponse::json(deep)});
  up.on("/cold", {FakeResponse::json(deep)});
  DaemonProcess daemon(json{
      {"log", {{"level", "info"}}},
      {"sources", {{"warm", picking_source(up, "/warm")}, {"cold", picking_source(up, "/cold")}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();

  const auto good = request(daemon.port(), "GET", "/v1/sources/warm");
  ASSERT_TRUE(good) << daemon.output();
  ASSERT_EQ(good->status, 200) << good->body;
  EXPECT_EQ(good->body, R"({"/current":{"t":21.5}})");

  RawConnection events(daemon.port());
  ASSERT_TRUE(events.ok());
  ASSERT_TRUE(events.send("GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  std::string seen;
  ASSERT_TRUE(poll_until(
      [&] {
        seen += events.read_some(100ms);
        return seen.find("retry: 3000") != std::string::npos;
      },
      5s))
      << seen;

  // The deep body arrives: the refresh fails, the daemon lives on.
  const auto refresh =
      request(daemon.port(), "POST", "/v1/sources/warm/refresh?wait=10s", {}, {}, 15s);
  ASSERT_TRUE(refresh) << "no answer to the refresh\n" << daemon.output();
  ASSERT_EQ(refresh->status, 200) << refresh->body;
  const auto report = json::parse(refresh->body);
  EXPECT_EQ(report["outcome"], "error");
  EXPECT_EQ(report["error"], "pick: upstream body: " + std::string(k_refused));
  EXPECT_EQ(up.count("/warm"), 2);
  ASSERT_FALSE(daemon.wait_exit(0ms)) << "the daemon died\n" << daemon.output();

  // The good value is still served, and the failure is public.
  const auto kept = request(daemon.port(), "GET", "/v1/sources/warm");
  ASSERT_TRUE(kept) << daemon.output();
  EXPECT_EQ(kept->status, 200);
  EXPECT_EQ(kept->body, R"({"/current":{"t":21.5}})");
  ASSERT_TRUE(poll_until(
      [&] {
        seen += events.read_some(100ms);
        return seen.find("event: source.failed") != std::string::npos;
      },
      5s))
      << seen;
  EXPECT_NE(seen.find(R"("source":"warm")"), std::string::npos) << seen;

  // A source that never had a value answers 502 problem+json.
  const auto cold = request(daemon.port(), "GET", "/v1/sources/cold", {}, {}, 15s);
  ASSERT_TRUE(cold) << daemon.output();
  EXPECT_EQ(cold->status, 502) << cold->body;
  EXPECT_EQ(cold->header("Content-Type"), "application/problem+json");
  EXPECT_NE(cold->body.find(k_refused), std::string::npos) << cold->body;

  const auto list = request(daemon.port(), "GET", "/v1/sources");
  ASSERT_TRUE(list && list->status == 200);
  const json listed = json::parse(list->body); // named: a range-for would not keep it alive
  for (const auto& source : listed["sources"]) {
    ASSERT_TRUE(source["last_error"].is_object()) << source.dump();
    EXPECT_EQ(source["last_error"]["message"], "pick: upstream body: " + std::string(k_refused))
        << source.dump();
  }
  const auto metrics = request(daemon.port(), "GET", "/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  for (const std::string source : {"warm", "cold"}) {
    // At least one: a read after the failure may already have tried again.
    EXPECT_GE(metric_value(metrics->body, "homectl_source_failures_total",
                           {{"source", source}, {"reason", "invalid_body"}})
                  .value_or(0),
              1.0)
        << source << "\n"
        << metrics->body;
    // Records reach stdout through the log's writer thread: wait for it.
    std::vector<json> lines;
    poll_until(
        [&] {
          lines = log_lines(daemon.output(), "source refresh failed",
                            {{"source", source}, {"reason", "invalid_body"}});
          return !lines.empty();
        },
        5s);
    ASSERT_FALSE(lines.empty()) << source << "\n" << daemon.output().substr(0, 4000);
    EXPECT_EQ(lines.front().value("error", ""), "pick: upstream body: " + std::string(k_refused));
  }

  const auto live = request(daemon.port(), "GET", "/live");
  ASSERT_TRUE(live && live->status == 200) << daemon.output();
  EXPECT_FALSE(daemon.wait_exit(0ms));
}

TEST(HostileJson, DeepRedisEventIsIgnoredAndADeepSharedEntryIsServedAsBytes) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer redis;
  FakeUpstream up;
  up.on("/m", {FakeResponse::json(R"({"n":0})")});
  json config = redis_daemon_config(redis.url(), up, true);
  config["sources"]["meter"]["ttl"] = "10m";
  config["sources"]["meter"]["refresh"] = "off";
  DaemonProcess daemon(config);
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(poll_until(
      [&] {
        const auto check = redis_check(daemon);
        return check.is_object() && check.value("subscribed", false);
      },
      10s))
      << daemon.output();
  const auto first = request(daemon.port(), "GET", "/v1/sources/meter");
  ASSERT_TRUE(first && first->status == 200) << daemon.output();
  ASSERT_EQ(first->body, R"({"n":0})");

  // Another "instance" stores a deep body, then announces it twice: once in
  // an 800 KB event nested 400000 levels deep, then in a well-formed one.
  const std::string deep = deep_document();
  sources::StoredEntry entry;
  entry.body = deep;
  entry.content_type = "application/json";
  entry.etag = "\"deep\"";
  entry.fetched_wall = std::chrono::system_clock::now();
  ASSERT_EQ(redis.query({"SET", "hc:cache:meter", daemon::encode_entry(entry)}), "OK");
  const std::string deep_event =
      R"({"v":1,"type":"source.updated","source":"meter","etag":"\"deep\"","x":)" +
      std::string(400'000, '[') + std::string(400'000, ']') + "}";
  EXPECT_EQ(redis.query({"PUBLISH", "hc:events", deep_event}), "(integer) 1");
  ASSERT_TRUE(poll_until([&] { return status_of(daemon, "/live") == 200; }, 5s)) << daemon.output();
  const auto still = request(daemon.port(), "GET", "/v1/sources/meter");
  ASSERT_TRUE(still && still->status == 200) << daemon.output();
  EXPECT_EQ(still->body, R"({"n":0})") << "the deep event was acted on";

  EXPECT_EQ(redis.query({"PUBLISH", "hc:events",
                         R"({"v":1,"type":"source.updated","source":"meter","etag":"\"deep\""})"}),
            "(integer) 1");
  std::optional<HttpResponse> adopted;
  ASSERT_TRUE(poll_until(
      [&] {
        adopted = request(daemon.port(), "GET", "/v1/sources/meter");
        return adopted && adopted->status == 200 && adopted->body.size() == deep.size();
      },
      5s))
      << "the subscriber stopped after the deep event\n"
      << daemon.output();
  EXPECT_EQ(adopted->body, deep);
  EXPECT_FALSE(daemon.wait_exit(0ms)) << daemon.output();
}

} // namespace
} // namespace homectl::test
