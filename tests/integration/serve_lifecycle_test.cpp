// `homectl serve` lifecycle: drain on SIGTERM, reload on SIGHUP, systemd
// notify messages, and the auth and rate-limit answers.
#include "support/daemon_process.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <thread>

namespace homectl::test {
namespace {

// Polls /diagnostics until at least `count` requests are in flight; the
// /diagnostics request itself is one of them.
bool wait_in_flight(std::uint16_t port, int count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (const auto r = request(port, "GET", "/diagnostics"); r && r->status == 200) {
      if (nlohmann::json::parse(r->body)["connections"]["in_flight"].get<int>() >= count) {
        return true;
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// A fake $NOTIFY_SOCKET: a unix datagram socket the test reads.
class NotifySocket {
public:
  explicit NotifySocket(const std::string& path) : m_path(path) {
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(m_fd);
      m_fd = -1;
    }
  }
  ~NotifySocket() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  bool ok() const { return m_fd >= 0; }
  // Waits for a message containing `needle`; returns every message read meanwhile.
  std::optional<std::string> wait_for(std::string_view needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{m_fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) {
        continue;
      }
      char buffer[4096];
      const auto n = ::recv(m_fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        continue;
      }
      std::string message(buffer, static_cast<std::size_t>(n));
      m_seen.push_back(message);
      if (message.find(needle) != std::string::npos) {
        return message;
      }
    }
    return std::nullopt;
  }
  const std::vector<std::string>& seen() const { return m_seen; }

private:
  std::string m_path;
  int m_fd = -1;
  std::vector<std::string> m_seen;
};

// The drain test needs a request that is honestly still in flight when SIGTERM
// arrives. A GET /live whose body is uploaded slowly is one: the server has
// the header, counts the request as in flight and must read the whole body
// before answering, and no test-only route is needed.
TEST(ServeLifecycle, SigtermLetsTheSlowRequestFinishAndExitsZero) {
  DaemonProcess daemon(nlohmann::json{{"server", {{"drain_timeout", "10s"}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();

  RawConnection idle(daemon.port()); // an open keep-alive connection
  ASSERT_TRUE(idle.send("GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  ASSERT_TRUE(idle.read_response());

  RawConnection slow(daemon.port());
  ASSERT_TRUE(
      slow.send("GET /live HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nhello"));
  // The server has the header once /diagnostics counts the request in flight.
  ASSERT_TRUE(wait_in_flight(daemon.port(), 2, 5s)) << daemon.output();

  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.wait_for_output("\"msg\":\"draining\"", 5s)) << daemon.output();
  // New connections are no longer accepted.
  EXPECT_FALSE(request(daemon.port(), "GET", "/live", {}, {}, 1s));
  // On the open connection /ready fails and the answer closes the connection.
  ASSERT_TRUE(idle.send("GET /ready HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  const auto ready = idle.read_response();
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(ready->header("Connection"), "close");
  EXPECT_NE(ready->body.find("\"server:draining\""), std::string::npos);
  EXPECT_FALSE(daemon.wait_exit(200ms)) << "exited with a request in flight";

  ASSERT_TRUE(slow.send("world"));
  const auto answer = slow.read_response();
  ASSERT_TRUE(answer) << daemon.output();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->header("Connection"), "close");
  EXPECT_EQ(daemon.wait_exit(10s), 0) << daemon.output();
}

TEST(ServeLifecycle, SecondSignalExitsAtOnce) {
  DaemonProcess daemon(nlohmann::json{{"server", {{"drain_timeout", "60s"}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  RawConnection slow(daemon.port());
  ASSERT_TRUE(slow.send("GET /live HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nhe"));
  ASSERT_TRUE(wait_in_flight(daemon.port(), 2, 5s)) << daemon.output();
  daemon.signal(SIGINT);
  ASSERT_TRUE(daemon.wait_for_output("\"msg\":\"draining\"", 5s)) << daemon.output();
  daemon.signal(SIGINT);
  const auto status = daemon.wait_exit(5s);
  ASSERT_TRUE(status) << daemon.output();
  EXPECT_EQ(*status, 1);
}

TEST(ServeLifecycle, NotifiesSystemdReadyReloadingStoppingAndWatchdog) {
  DaemonProcess probe_dir; // only for a temp dir path
  const auto socket_path = probe_dir.dir() + "/notify.sock";
  NotifySocket notify(socket_path);
  ASSERT_TRUE(notify.ok());
  DaemonProcess daemon(nlohmann::json::object(),
                       {"NOTIFY_SOCKET=" + socket_path, "WATCHDOG_USEC=200000"});
  ASSERT_TRUE(daemon.start()) << daemon.output();

  const auto ready = notify.wait_for("READY=1", 5s);
  ASSERT_TRUE(ready);
  EXPECT_NE(ready->find("STATUS=serving on 127.0.0.1:" + std::to_string(daemon.port())),
            std::string::npos)
      << *ready;
  EXPECT_TRUE(notify.wait_for("WATCHDOG=1", 5s));
  EXPECT_TRUE(notify.wait_for("WATCHDOG=1", 5s)); // keeps coming

  daemon.signal(SIGHUP);
  const auto reloading = notify.wait_for("RELOADING=1", 5s);
  ASSERT_TRUE(reloading);
  EXPECT_NE(reloading->find("MONOTONIC_USEC="), std::string::npos);
  EXPECT_TRUE(notify.wait_for("READY=1", 5s));

  daemon.signal(SIGTERM);
  EXPECT_TRUE(notify.wait_for("STOPPING=1", 5s));
  EXPECT_EQ(daemon.wait_exit(10s), 0) << daemon.output();
}

TEST(ServeLifecycle, WatchdogIsSilentWhenWatchdogPidIsAnotherProcess) {
  DaemonProcess probe_dir;
  const auto socket_path = probe_dir.dir() + "/notify.sock";
  NotifySocket notify(socket_path);
  ASSERT_TRUE(notify.ok());
  DaemonProcess daemon(nlohmann::json::object(),
                       {"NOTIFY_SOCKET=" + socket_path, "WATCHDOG_USEC=100000", "WATCHDOG_PID=1"});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(notify.wait_for("READY=1", 5s));
  EXPECT_FALSE(notify.wait_for("WATCHDOG=1", 500ms));
}

TEST(ServeLifecycle, SighupAppliesValidConfigAndKeepsOldOnInvalid) {
  nlohmann::json config = {{"server", {{"api_token", "first-token"}}}};
  DaemonProcess daemon(config);
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const auto port = daemon.port();
  auto diagnostics = [&](const std::string& token) {
    return request(port, "GET", "/diagnostics", {{"Authorization", "Bearer " + token}});
  };
  ASSERT_EQ(diagnostics("first-token")->status, 200);

  // Valid: the new token applies; a listen change is reported, not applied.
  config["server"]["api_token"] = "second-token";
  config["server"]["listen"] = "127.0.0.1:" + std::to_string(free_port());
  config["limits"] = {{"default", {{"rate", "1/m"}, {"burst", 2}}}};
  daemon.write_config(config);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(daemon.wait_for_output("configuration reloaded", 5s)) << daemon.output();
  EXPECT_TRUE(daemon.wait_for_output("take effect only after a restart", 5s));
  auto out = daemon.output();
  EXPECT_NE(out.find("server.api_token"), std::string::npos);
  EXPECT_NE(out.find("server.listen"), std::string::npos);
  EXPECT_EQ(out.find("second-token"), std::string::npos) << "token logged";
  const auto now_ok = diagnostics("second-token");
  ASSERT_TRUE(now_ok);
  EXPECT_EQ(now_ok->status, 200);
  EXPECT_EQ(diagnostics("first-token")->status, 401);
  // The new limit (burst 2) applies too.
  const auto limited = diagnostics("second-token");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);

  // Invalid: errors logged once, the running configuration stays.
  daemon.write_config_text(R"({"server": {"api_token": "third-token", "max_connections": -5}})");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(daemon.wait_for_output("reload rejected", 5s)) << daemon.output();
  out = daemon.output();
  EXPECT_NE(out.find("server.max_connections"), std::string::npos) << out;
  const auto still = request(port, "GET", "/live");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
  EXPECT_NE(diagnostics("third-token")->status, 200);
}

TEST(ServeRateLimit, ExcessRequestsGet429WithRateLimitHeaders) {
  DaemonProcess daemon(nlohmann::json{{"limits", {{"default", {{"rate", "2/m"}, {"burst", 2}}}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  EXPECT_EQ(request(daemon.port(), "GET", "/openapi.json")->status, 200);
  EXPECT_EQ(request(daemon.port(), "GET", "/openapi.json")->status, 200);
  const auto r = request(daemon.port(), "GET", "/openapi.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->header("Content-Type"), "application/problem+json");
  EXPECT_EQ(r->header("Retry-After"), "30");
  EXPECT_EQ(r->header("RateLimit-Policy"), "\"default\";q=2;w=60");
  EXPECT_EQ(r->header("RateLimit"), "\"default\";r=0;t=30");
  // Probes are never limited.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(request(daemon.port(), "GET", "/live")->status, 200);
  }
  const auto metrics = request(daemon.port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("homectl_rate_limited_total{class=\"default\"} 1"),
            std::string::npos);
}

TEST(ServeAuth, PostRoutesNeedTheToken) {
  DaemonProcess daemon(nlohmann::json{{"server", {{"api_token", "post-secret"}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  // Probes stay open without a token.
  EXPECT_EQ(request(daemon.port(), "GET", "/ready")->status, 200);
  const auto wrong_scheme =
      request(daemon.port(), "GET", "/diagnostics", {{"Authorization", "Basic post-secret"}});
  ASSERT_TRUE(wrong_scheme);
  EXPECT_EQ(wrong_scheme->status, 401);
  EXPECT_EQ(request(daemon.port(), "GET", "/diagnostics", {{"Authorization", "bearer post-secret"}})
                ->status,
            200);
}

} // namespace
} // namespace homectl::test
