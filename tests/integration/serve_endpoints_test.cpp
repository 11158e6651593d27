// `homectl serve` endpoints and their headers, against the real binary.
#include "support/daemon_process.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace homectl::test {
namespace {

class ServeEndpoints : public ::testing::Test {
protected:
  void SetUp() override {
    daemon = std::make_unique<DaemonProcess>(nlohmann::json{
        {"server", {{"api_token", "endpoint-test-secret"}}}, {"log", {{"access", "all"}}}});
    ASSERT_TRUE(daemon->start()) << daemon->output();
  }
  std::optional<HttpResponse> get(std::string_view target,
                                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    return request(daemon->port(), "GET", target, std::move(headers));
  }
  std::unique_ptr<DaemonProcess> daemon;
};

TEST_F(ServeEndpoints, LiveAnswersOk) {
  const auto r = get("/live");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok\n");
  EXPECT_EQ(r->header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_FALSE(r->header("Date").empty());
  EXPECT_EQ(r->header("Connection"), "close");
}

TEST_F(ServeEndpoints, ReadyAndHealthAreHealthJson) {
  for (const auto* path : {"/ready", "/health"}) {
    const auto r = get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->header("Content-Type"), "application/health+json") << path;
    EXPECT_EQ(r->header("Cache-Control"), "no-store") << path;
    const auto doc = nlohmann::json::parse(r->body);
    EXPECT_EQ(doc["status"], "pass");
    EXPECT_EQ(doc["version"], "0.1.0");
    EXPECT_TRUE(doc["time"].is_string());
    EXPECT_EQ(doc["checks"]["server:draining"][0]["status"], "pass");
    EXPECT_EQ(doc["checks"]["uptime"][0]["observedUnit"], "s");
  }
}

TEST_F(ServeEndpoints, MetricsHaveExactContentTypeAndRequiredFamilies) {
  ASSERT_TRUE(get("/live"));
  const auto r = get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  for (const auto* name :
       {"homectl_http_requests_total{route=\"/live\",method=\"GET\",code=\"200\"}",
        "homectl_http_request_duration_seconds_bucket{route=\"/live\"", "homectl_http_connections ",
        "# TYPE homectl_rate_limited_total counter", "homectl_build_info{version=\"0.1.0\"} 1",
        "process_start_time_seconds ", "process_resident_memory_bytes ",
        "process_cpu_seconds_total ", "process_open_fds "}) {
    EXPECT_NE(r->body.find(name), std::string::npos) << name;
  }
}

TEST_F(ServeEndpoints, MetricsPassPromtool) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool is not installed (apt-get install prometheus)";
  }
  ASSERT_TRUE(get("/live"));
  ASSERT_TRUE(get("/nope"));
  const auto r = get("/metrics");
  ASSERT_TRUE(r);
  const auto file = daemon->dir() + "/metrics.txt";
  std::ofstream(file) << r->body;
  const auto command = "promtool check metrics < " + file + " > " + file + ".out 2>&1";
  const int rc = std::system(command.c_str());
  std::ifstream in(file + ".out");
  const std::string report((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(rc, 0) << report;
}

TEST_F(ServeEndpoints, DiagnosticsNeedTheTokenAndRedactIt) {
  const auto denied = get("/diagnostics");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(denied->header("WWW-Authenticate"), "Bearer realm=\"homectl\"");
  EXPECT_EQ(denied->header("Content-Type"), "application/problem+json");
  const auto wrong = get("/diagnostics", {{"Authorization", "Bearer endpoint-test-secreX"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);

  const auto r = get("/diagnostics", {{"Authorization", "Bearer endpoint-test-secret"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto doc = nlohmann::json::parse(r->body);
  EXPECT_EQ(doc["build"]["version"], "0.1.0");
  EXPECT_GE(doc["connections"]["open"].get<int>(), 1);
  EXPECT_TRUE(doc["limiter"]["refresh"]["enabled"].get<bool>());
  EXPECT_TRUE(doc["config"].is_object());
  EXPECT_EQ(r->body.find("endpoint-test-secret"), std::string::npos);
  // The token never reaches the log either.
  EXPECT_EQ(daemon->output().find("endpoint-test-secret"), std::string::npos);
}

TEST_F(ServeEndpoints, OpenApiListsTheServedPaths) {
  const auto r = get("/openapi.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Type"), "application/json");
  const auto doc = nlohmann::json::parse(r->body);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_TRUE(doc["paths"].contains("/live"));
  EXPECT_TRUE(doc["components"]["schemas"].contains("Problem"));
}

TEST_F(ServeEndpoints, UnknownRouteIs404Problem) {
  const auto r = get("/v2/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->header("Content-Type"), "application/problem+json");
  const auto doc = nlohmann::json::parse(r->body);
  EXPECT_EQ(doc["status"], 404);
  EXPECT_EQ(doc["title"], "Not Found");
  EXPECT_EQ(doc["detail"], "no route for GET /v2/nothing");
}

TEST_F(ServeEndpoints, WrongMethodIs405WithAllow) {
  const auto r = request(daemon->port(), "DELETE", "/live");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("Allow"), "GET, HEAD");
  EXPECT_EQ(r->header("Content-Type"), "application/problem+json");
}

TEST_F(ServeEndpoints, HeadHasHeadersButNoBody) {
  RawConnection c(daemon->port());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.send("HEAD /health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /live HTTP/1.1\r\nHost: "
                     "localhost\r\n\r\n"));
  const auto head = c.read_response(5s, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_NE(head->header("Content-Length"), "0");
  EXPECT_TRUE(head->body.empty());
  // The next response on the same connection starts right after the head.
  const auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "ok\n");
}

TEST_F(ServeEndpoints, KeepAliveServesManyRequestsOnOneConnection) {
  RawConnection c(daemon->port());
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(c.send("GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    const auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->has_header("Connection"));
  }
}

TEST_F(ServeEndpoints, AccessLogHasOneLinePerRequest) {
  ASSERT_TRUE(get("/v1/none"));
  ASSERT_TRUE(daemon->wait_for_output("\"endpoint\":\"unmatched\"", 5s)) << daemon->output();
  ASSERT_TRUE(daemon->wait_for_output("\"endpoint\":\"/live\"", 5s));
  const auto out = daemon->output();
  EXPECT_NE(out.find("\"status\":404"), std::string::npos);
  EXPECT_NE(out.find("\"outcome\":\"client_error\""), std::string::npos);
  EXPECT_NE(out.find("\"latency_ms\":"), std::string::npos);
  EXPECT_NE(out.find("\"bytes\":"), std::string::npos);
}

TEST(ServeStartup, InvalidConfigExits78AndNamesEveryProblem) {
  DaemonProcess daemon;
  daemon.write_config_text(R"({"server": {"threads": 0, "header_timeout": "soon"}})");
  ASSERT_TRUE(daemon.start(5s, false));
  const auto status = daemon.wait_exit(10s);
  ASSERT_TRUE(status) << daemon.output();
  EXPECT_EQ(*status, 78) << daemon.output();
  const auto out = daemon.output();
  EXPECT_NE(out.find("server.threads"), std::string::npos) << out;
  EXPECT_NE(out.find("server.header_timeout"), std::string::npos) << out;
}

TEST(ServeStartup, PortInUseIsAClearErrorAndNonZeroExit) {
  DaemonProcess first;
  ASSERT_TRUE(first.start()) << first.output();
  DaemonProcess second(
      nlohmann::json{{"server", {{"listen", "127.0.0.1:" + std::to_string(first.port())}}}});
  ASSERT_TRUE(second.start(5s, false));
  const auto status = second.wait_exit(10s);
  ASSERT_TRUE(status) << second.output();
  EXPECT_NE(*status, 0);
  EXPECT_NE(second.output().find("cannot listen on 127.0.0.1:" + std::to_string(first.port()) +
                                 ": Address already in use"),
            std::string::npos)
      << second.output();
}

TEST(ServeStartup, NoConfigAtAllListensOn8080) {
  if (RawConnection probe(8080); probe.ok()) {
    GTEST_SKIP() << "127.0.0.1:8080 is in use on this machine";
  }
  DaemonProcess daemon;
  // No file at all: not even the one the working directory search would find.
  std::filesystem::remove(daemon.config_path());
  ASSERT_TRUE(daemon.spawn({"serve"}));
  bool live = false;
  for (int i = 0; i < 500 && !live; ++i) {
    const auto r = request(8080, "GET", "/live", {}, {}, 1s);
    live = r && r->status == 200;
    if (!live) {
      if (daemon.wait_exit(10ms)) {
        break;
      }
    }
  }
  EXPECT_TRUE(live) << daemon.output();
  // The log has its own writer thread: the line may come a moment after /live answers.
  EXPECT_TRUE(daemon.wait_for_output("built-in defaults", 5s)) << daemon.output();
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(10s), 0);
}

} // namespace
} // namespace homectl::test
