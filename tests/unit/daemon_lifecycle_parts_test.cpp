#include "homectl/daemon/access_log.hpp"
#include "homectl/daemon/reload.hpp"
#include "homectl/daemon/systemd_notify.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

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

// Binds a datagram socket at `name` (abstract when it starts with '@').
int bind_datagram(const std::string& name) {
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, name.data(), name.size());
  if (name.front() == '@') {
    address.sun_path[0] = '\0';
  }
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), length), 0);
  return fd;
}

std::string receive(int fd) {
  char buffer[512];
  const auto n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

TEST(SystemdNotifier, SendsToAnAbstractSocket) {
  const std::string name = "@homectl-test-" + std::to_string(::getpid());
  const int fd = bind_datagram(name);
  SystemdNotifier notifier(name, 10s);
  ASSERT_TRUE(notifier.enabled());
  notifier.ready("serving on 127.0.0.1:1");
  EXPECT_EQ(receive(fd), "READY=1\nSTATUS=serving on 127.0.0.1:1");
  notifier.reloading();
  const auto reloading = receive(fd);
  EXPECT_TRUE(reloading.starts_with("RELOADING=1\nMONOTONIC_USEC=")) << reloading;
  notifier.stopping("draining");
  EXPECT_EQ(receive(fd), "STOPPING=1\nSTATUS=draining");
  notifier.watchdog();
  EXPECT_EQ(receive(fd), "WATCHDOG=1");
  EXPECT_EQ(notifier.watchdog_interval(), std::chrono::microseconds(5s));
  ::close(fd);
}

TEST(SystemdNotifier, IsANoOpWithoutASocket) {
  SystemdNotifier notifier("", std::nullopt);
  EXPECT_FALSE(notifier.enabled());
  EXPECT_FALSE(notifier.notify("READY=1"));
  EXPECT_FALSE(notifier.watchdog_interval());
  SystemdNotifier relative("not/absolute", 1s);
  EXPECT_FALSE(relative.enabled());
}

} // namespace
} // namespace homectl::daemon
