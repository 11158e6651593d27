// The real `homectl serve` pointed at the wrong Redis: a wrong password, a
// wrong database, something that is not Redis at all. It keeps running and
// serving sources, and /ready, /health and the log say what is wrong.
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/observe.hpp"
#include "support/redis_daemon.hpp"
#include "support/redis_server.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace homectl::test {
namespace {

// What a daemon pointed at a misconfigured Redis shows: it keeps running and
// serving, /ready and /health carry `detail`, and the log says it.
struct Misconfigured {
  std::string redis_url;
  bool required = false;
  std::string detail;
  std::string secret; // must appear nowhere, "" for none
};

void expect_clear_redis_failure(const Misconfigured& c, const FakeUpstream& up) {
  DaemonProcess daemon(redis_daemon_config(c.redis_url, up, c.required));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(poll_until(
      [&] { return redis_check(daemon).value("output", "").find(c.detail) != std::string::npos; },
      10s))
      << redis_check(daemon) << "\n"
      << daemon.output();
  const auto check = redis_check(daemon);
  EXPECT_EQ(check["status"], c.required ? "fail" : "warn") << check;
  const auto ready = request(daemon.port(), "GET", "/ready", {}, {}, 2s);
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, c.required ? 503 : 200) << ready->body;
  EXPECT_NE(ready->body.find(c.detail), std::string::npos) << ready->body;
  // Sources are served without Redis.
  const auto value = request(daemon.port(), "GET", "/v1/sources/meter", {}, {}, 5s);
  ASSERT_TRUE(value);
  EXPECT_EQ(value->status, 200) << value->body;

  // Retries are spaced by the backoff, and the log names the problem (once
  // at warn level, then quietly while it stays the same).
  std::this_thread::sleep_for(1500ms);
  const auto output = daemon.output();
  const auto lines = log_lines(output, "redis unavailable; retrying");
  ASSERT_FALSE(lines.empty()) << output;
  bool named = false;
  int warnings = 0;
  for (const auto& line : lines) {
    named = named || line.value("error", "").find(c.detail) != std::string::npos;
    warnings += line.value("level", "") == "warn" ? 1 : 0;
  }
  EXPECT_TRUE(named) << output;
  EXPECT_LE(warnings, 4) << "the same failure logged at warn again and again";
  const auto reconnects = metric_value(metrics_of(daemon), "homectl_redis_reconnects_total");
  ASSERT_TRUE(reconnects);
  EXPECT_LE(*reconnects, 40) << "retries are not backing off";
  if (!c.secret.empty()) {
    EXPECT_EQ(output.find(c.secret), std::string::npos) << "the password was logged";
    EXPECT_EQ(ready->body.find(c.secret), std::string::npos);
  }
  EXPECT_FALSE(daemon.wait_exit(0ms)) << output;
  EXPECT_EQ(status_of(daemon, "/live"), 200);
}

TEST(FaultRedisConfig, WrongPasswordIsReportedClearlyAndOnlyWarnsWhenOptional) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer redis({"--requirepass", "right-password"});
  FakeUpstream up;
  up.on("/m", changing_answers(50));
  expect_clear_redis_failure(
      {"redis://:wrong-password-42@127.0.0.1:" + std::to_string(redis.port()), false,
       "authentication failed", "wrong-password-42"},
      up);
}

TEST(FaultRedisConfig, WrongDatabaseIsReportedClearlyAndFailsReadyWhenRequired) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer redis;
  FakeUpstream up;
  up.on("/m", changing_answers(50));
  expect_clear_redis_failure({"redis://127.0.0.1:" + std::to_string(redis.port()) + "/99", true,
                              "cannot select database 99", ""},
                             up);
}

TEST(FaultRedisConfig, AnHttpServerOnTheRedisPortIsReportedClearly) {
  FakeUpstream up;
  up.on("/m", changing_answers(50));
  FakeUpstream not_redis; // speaks HTTP: hangs up on a Redis command
  expect_clear_redis_failure(
      {"redis://127.0.0.1:" + std::to_string(not_redis.port()), true,
       "closed the connection without answering PING (is it a Redis server?)", ""},
      up);
}

} // namespace
} // namespace homectl::test
