// Fault injection on the Redis side of the real `homectl serve`: redis-server
// killed and restarted under client load, and Redis answering slowly (DEBUG
// SLEEP). Clients must be served throughout; /ready, /health, the log and
// /metrics must tell the story.

#include "support/channel_listener.hpp"
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/observe.hpp"
#include "support/redis_daemon.hpp"
#include "support/redis_server.hpp"

#include <hiredis/hiredis.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace homectl::test {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

// Client threads reading one source for as long as they run; every answer
// that is not a 200 with a body is a lost request.
class SteadyLoad {
public:
  SteadyLoad(std::uint16_t port, std::string path, int threads) {
    for (int i = 0; i < threads; ++i) {
      m_threads.emplace_back([this, port, path] {
        while (!m_stop) {
          const auto start = SteadyClock::now();
          const auto r = request(port, "GET", path, {}, {}, 5s);
          const auto ms =
              std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start)
                  .count();
          std::lock_guard lock(m_mutex);
          ++m_total;
          m_worst_ms = std::max(m_worst_ms, static_cast<long long>(ms));
          if (!r || r->status != 200 || r->body.empty()) {
            ++m_failed;
            if (m_failures.size() < 10) {
              m_failures.push_back(r ? std::to_string(r->status) + " " + r->body : "no answer");
            }
          }
          std::this_thread::sleep_for(5ms);
        }
      });
    }
  }
  ~SteadyLoad() { stop(); }
  SteadyLoad(const SteadyLoad&) = delete;
  SteadyLoad& operator=(const SteadyLoad&) = delete;

  void stop() {
    m_stop = true;
    for (auto& t : m_threads) {
      if (t.joinable()) {
        t.join();
      }
    }
  }
  int total() const {
    std::lock_guard lock(m_mutex);
    return m_total;
  }
  int failed() const {
    std::lock_guard lock(m_mutex);
    return m_failed;
  }
  long long worst_ms() const {
    std::lock_guard lock(m_mutex);
    return m_worst_ms;
  }
  std::string failures() const {
    std::lock_guard lock(m_mutex);
    std::string text;
    for (const auto& f : m_failures) {
      text += f + "\n";
    }
    return text;
  }

private:
  std::atomic<bool> m_stop{false};
  mutable std::mutex m_mutex;
  int m_total = 0;
  int m_failed = 0;
  long long m_worst_ms = 0;
  std::vector<std::string> m_failures;
  std::vector<std::thread> m_threads;
};

TEST(FaultRedis, KillAndRestartUnderLoadKeepsServingAndResumesSharedCacheAndEvents) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer redis;
  FakeUpstream up;
  up.on("/m", changing_answers(500));
  ChannelListener listener(redis.url(), "hc:events");
  ASSERT_TRUE(poll_until([&] { return listener.up(); }, 10s));
  DaemonProcess daemon(redis_daemon_config(redis.url(), up, true));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(poll_until([&] { return status_of(daemon, "/ready") == 200; }, 10s))
      << daemon.output();
  ASSERT_EQ(status_of(daemon, "/v1/sources/meter"), 200) << daemon.output();
  ASSERT_TRUE(poll_until([&] { return listener.count() > 0; }, 10s)) << daemon.output();

  SteadyLoad load(daemon.port(), "/v1/sources/meter", 3);
  std::this_thread::sleep_for(500ms);

  redis.kill();
  // /ready follows redis.required (true here): 503 while Redis is away, with
  // the reason in the check; reads are served from memory all the while.
  ASSERT_TRUE(poll_until([&] { return status_of(daemon, "/ready") == 503; }, 10s))
      << daemon.output();
  const auto down = redis_check(daemon);
  ASSERT_TRUE(down.is_object());
  EXPECT_EQ(down["status"], "fail");
  EXPECT_NE(down.value("output", "").find("is unreachable"), std::string::npos) << down;
  EXPECT_EQ(metric_value(metrics_of(daemon), "homectl_redis_up"), 0.0);
  const auto ping = metric_value(metrics_of(daemon), "homectl_redis_ping_latency_seconds");
  ASSERT_TRUE(ping);
  EXPECT_TRUE(std::isnan(*ping)) << *ping; // no latency to show while Redis is away
  // Refreshes go on while Redis is away (independently, never not at all);
  // their events are dropped and counted, not queued.
  const int fetched_before = up.count("/m");
  ASSERT_TRUE(poll_until([&] { return up.count("/m") >= fetched_before + 2; }, 10s))
      << "refreshes stopped while Redis was down\n"
      << daemon.output();
  ASSERT_TRUE(poll_until(
      [&] {
        const auto dropped = metric_value(metrics_of(daemon), "homectl_events_published_total",
                                          {{"outcome", "dropped"}});
        return dropped && *dropped >= 1;
      },
      5s));

  const std::size_t events_before_restart = listener.count();
  redis.restart(); // the same port, empty (no persistence)
  ASSERT_TRUE(poll_until([&] { return status_of(daemon, "/ready") == 200; }, 15s))
      << daemon.output();
  const auto again = redis_check(daemon);
  ASSERT_TRUE(again.is_object());
  EXPECT_EQ(again["status"], "pass") << again;
  EXPECT_GE(again["reconnects"].get<int>(), 1) << again;

  // L2 writes resume: the restarted server gets the entry again, with a TTL.
  ASSERT_TRUE(poll_until(
      [&] {
        return redis.query({"EXISTS", "hc:cache:meter"}) == "(integer) 1";
      },
      10s))
      << daemon.output();
  const auto ttl = redis.query({"PTTL", "hc:cache:meter"});
  EXPECT_NE(ttl, "(integer) -1") << "a key without TTL";
  // Pub/sub resumes: new source.updated events arrive on a real SUBSCRIBE.
  ASSERT_TRUE(poll_until([&] { return listener.count() > events_before_restart; }, 15s))
      << daemon.output();
  const auto event = json::parse(listener.since(events_before_restart).front());
  EXPECT_EQ(event["type"], "source.updated");
  EXPECT_EQ(event["source"], "meter");
  // The daemon's own subscription is back too.
  ASSERT_TRUE(poll_until([&] { return redis_check(daemon).value("subscribed", false); }, 10s));

  load.stop();
  EXPECT_EQ(load.failed(), 0) << load.failures();
  EXPECT_GE(load.total(), 100);

  const auto metrics = metrics_of(daemon);
  EXPECT_EQ(metric_value(metrics, "homectl_redis_up"), 1.0);
  const auto reconnects = metric_value(metrics, "homectl_redis_reconnects_total");
  ASSERT_TRUE(reconnects) << metrics;
  EXPECT_GE(*reconnects, 1);
  const auto published =
      metric_value(metrics, "homectl_events_published_total", {{"outcome", "ok"}});
  ASSERT_TRUE(published);
  EXPECT_GE(*published, 2);

  EXPECT_TRUE(daemon.wait_for_output("redis reconnected", 5s)) << daemon.output();
  const auto output = daemon.output();
  EXPECT_FALSE(log_lines(output, "redis unavailable; retrying").empty()) << output;
  EXPECT_FALSE(log_lines(output, "redis reconnected").empty()) << output;
  EXPECT_FALSE(daemon.wait_exit(0ms));
}

// Runs one blocking command on its own connection, with a generous timeout
// (DEBUG SLEEP holds the server, and so the reply, for seconds).
std::string run_slow_command(std::uint16_t port, const std::vector<std::string>& args) {
  timeval timeout{10, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, timeout);
  if (c == nullptr || c->err != 0) {
    std::string why = c ? c->errstr : "out of memory";
    redisFree(c);
    return "(connection error) " + why;
  }
  redisSetTimeout(c, timeout);
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  std::string text = reply == nullptr ? std::string("(error) ") + c->errstr
                     : reply->type == REDIS_REPLY_ERROR
                         ? "(error) " + std::string(reply->str, reply->len)
                     : reply->type == REDIS_REPLY_STATUS ? std::string(reply->str, reply->len)
                                                         : std::string("(reply)");
  freeReplyObject(reply);
  redisFree(c);
  return text;
}

TEST(FaultRedis, SlowRedisTripsTheCommandDeadlineWhileClientsAreServedPromptly) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer redis({"--enable-debug-command", "yes"});
  FakeUpstream up;
  up.on("/m", changing_answers(500));
  // ttl longer than the test: reads are hits, refreshes only when asked.
  auto config = redis_daemon_config(redis.url(), up, false, {{"command_timeout", "300ms"}});
  config["sources"]["meter"]["ttl"] = "1m";
  config["sources"]["meter"]["refresh"] = "off";
  DaemonProcess daemon(config);
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(poll_until([&] { return redis_check(daemon).value("status", "") == "pass"; }, 10s))
      << daemon.output();
  ASSERT_EQ(status_of(daemon, "/v1/sources/meter"), 200);
  ASSERT_TRUE(poll_until(
      [&] {
        return redis.query({"EXISTS", "hc:cache:meter"}) == "(integer) 1";
      },
      5s));

  SteadyLoad load(daemon.port(), "/v1/sources/meter", 3);
  std::string sleep_reply;
  const auto sleep_started = SteadyClock::now();
  std::thread sleeper([&] {
    sleep_reply = run_slow_command(redis.port(), {"DEBUG", "SLEEP", "2"});
  });
  std::this_thread::sleep_for(200ms); // the server is asleep now

  // A refresh writes to the shared cache: the write waits for the 300 ms
  // deadline, not for Redis to wake up, and the refresh itself succeeds.
  const auto refresh_started = SteadyClock::now();
  const auto refreshed =
      request(daemon.port(), "POST", "/v1/sources/meter/refresh?wait=5s", {}, {}, 5s);
  const auto refresh_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - refresh_started)
          .count();
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(refreshed->status, 200) << refreshed->body;
  EXPECT_EQ(json::parse(refreshed->body).value("outcome", ""), "ok") << refreshed->body;
  EXPECT_LT(refresh_ms, 1500) << "the refresh waited for the sleeping Redis";
  EXPECT_LT(SteadyClock::now() - sleep_started, 2s) << "the machine is too slow for this check";

  sleeper.join();
  EXPECT_EQ(sleep_reply, "OK");
  // The daemon comes back to Redis by itself.
  ASSERT_TRUE(poll_until([&] { return redis_check(daemon).value("status", "") == "pass"; }, 15s))
      << daemon.output();
  load.stop();
  EXPECT_EQ(load.failed(), 0) << load.failures();
  EXPECT_GE(load.total(), 50);
  EXPECT_LT(load.worst_ms(), 1000) << "a read waited on Redis";

  const auto metrics = metrics_of(daemon);
  const auto timeouts =
      metric_value(metrics, "homectl_redis_commands_total", {{"outcome", "timeout"}});
  ASSERT_TRUE(timeouts) << metrics;
  EXPECT_GE(*timeouts, 1);
  const auto reconnects = metric_value(metrics, "homectl_redis_reconnects_total");
  ASSERT_TRUE(reconnects);
  EXPECT_GE(*reconnects, 1);
  // The log has its own writer thread: the line may come a moment after the metric.
  ASSERT_TRUE(daemon.wait_for_output("redis command timed out; resetting the connection", 5s))
      << daemon.output();
  const auto lines =
      log_lines(daemon.output(), "redis command timed out; resetting the connection");
  ASSERT_FALSE(lines.empty()) << daemon.output();
  EXPECT_EQ(lines.front().value("timeout_ms", 0), 300);
  EXPECT_FALSE(lines.front().value("command", "").empty());
}

} // namespace
} // namespace homectl::test
