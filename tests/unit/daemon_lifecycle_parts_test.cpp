#include "homectl/daemon/access_log.hpp"
#include "homectl/daemon/reload.hpp"

#include <gtest/gtest.h>

namespace homectl::daemon {
namespace {

using namespace std::chrono_literals;

TEST(ReloadPlan, KeepsRestartOnlySettingsAndListsChanges) {
  config::Config current;
  config::Config next;
  next.server.listen.port = 9999;
  next.server.threads = 4;
  next.server.api_token = "new";
  next.log.access = config::AccessLog::all;
  next.redis.url = "redis://127.0.0.1:6379";
  const auto plan = plan_reload(current, next);
  EXPECT_EQ(plan.applied.server.listen.port, 8080);
  EXPECT_EQ(plan.applied.server.threads, 1);
  EXPECT_EQ(plan.applied.server.api_token, "new");
  EXPECT_EQ(plan.applied.redis.url, "");
  EXPECT_EQ(plan.applied.log.access, config::AccessLog::all);
  EXPECT_EQ(plan.needs_restart,
            (std::vector<std::string>{"server.listen", "server.threads", "redis.url"}));
  EXPECT_EQ(plan.changed, (std::vector<std::string>{"server.api_token", "log.access"}));
}

TEST(ReloadPlan, EveryReloadableSettingIsReportedByName) {
  config::Config current;
  config::Config next = current;
  next.server.write_timeout = current.server.write_timeout + std::chrono::seconds(1);
  next.server.allowed_hosts = {"nas.lan"};
  next.sources.push_back(config::SourceConfig{});
  const auto plan = plan_reload(current, next);
  EXPECT_TRUE(plan.needs_restart.empty());
  EXPECT_EQ(plan.changed,
            (std::vector<std::string>{"server.write_timeout", "server.allowed_hosts", "sources"}));
}

TEST(ReloadPlan, NothingChanged) {
  const auto plan = plan_reload(config::Config{}, config::Config{});
  EXPECT_TRUE(plan.changed.empty());
  EXPECT_TRUE(plan.needs_restart.empty());
}

TEST(AccessLog, ModesAndOutcomes) {
  config::LogConfig log;
  EXPECT_FALSE(should_log(log, 200, 5ms));
  EXPECT_TRUE(should_log(log, 404, 5ms));
  EXPECT_TRUE(should_log(log, 200, 1500ms)); // slower than log.slow_request
  log.access = config::AccessLog::all;
  EXPECT_TRUE(should_log(log, 200, 5ms));
  log.access = config::AccessLog::off;
  EXPECT_FALSE(should_log(log, 500, 5s));
  EXPECT_EQ(outcome_of(200), "ok");
  EXPECT_EQ(outcome_of(304), "ok");
  EXPECT_EQ(outcome_of(401), "unauthorized");
  EXPECT_EQ(outcome_of(429), "rate_limited");
  EXPECT_EQ(outcome_of(413), "client_error");
  EXPECT_EQ(outcome_of(503), "server_error");
}

} // namespace
} // namespace homectl::daemon
