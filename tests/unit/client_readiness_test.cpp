#include "homectl/client/http_client.hpp"
#include "homectl/client/readiness.hpp"
#include "homectl/client/target.hpp"

#include <gtest/gtest.h>

using namespace homectl;
using namespace homectl::client;

TEST(BaseUrl, SplitsSchemeHostPortAndPath) {
  auto url = parse_base_url("http://127.0.0.1:8080");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->scheme_host_port, "http://127.0.0.1:8080");
  EXPECT_EQ(url->path, "");
  auto prefixed = parse_base_url("https://ntfy.example/my-home/");
  ASSERT_TRUE(prefixed);
  EXPECT_EQ(prefixed->scheme_host_port, "https://ntfy.example");
  EXPECT_EQ(prefixed->path, "/my-home");
  auto v6 = parse_base_url("http://[::1]:9000/x");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->scheme_host_port, "http://[::1]:9000");
  EXPECT_EQ(v6->path, "/x");
}

TEST(BaseUrl, RejectsBadUrlsWithAReason) {
  EXPECT_EQ(parse_base_url("ftp://x").error().message,
            "\"ftp://x\": only http:// and https:// URLs are supported");
  EXPECT_EQ(parse_base_url("http://").error().message, "\"http://\": the URL has no host");
  EXPECT_EQ(parse_base_url("http://h:99999").error().message,
            "\"http://h:99999\": port \"99999\" is not a number from 1 to 65535");
  EXPECT_EQ(parse_base_url("http://h:x/").error().message,
            "\"http://h:x/\": port \"x\" is not a number from 1 to 65535");
  EXPECT_FALSE(parse_base_url("http://u:p@h/"));
}

TEST(Target, FlagBeatsEnvironmentBeatsConfig) {
  config::Config cfg;
  cfg.server.listen = {"0.0.0.0", 9000};
  cfg.server.api_token = "from-config";
  std::map<std::string, std::string> env;
  auto lookup = [&env](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional(it->second);
  };
  auto t = resolve_target(cfg, "", "", lookup);
  EXPECT_EQ(t.url, "http://127.0.0.1:9000");
  EXPECT_EQ(t.token, "from-config");
  env["HOMECTL_URL"] = "http://h:1";
  env["HOMECTL_TOKEN"] = "from-env";
  t = resolve_target(cfg, "", "", lookup);
  EXPECT_EQ(t.url, "http://h:1");
  EXPECT_EQ(t.token, "from-env");
  t = resolve_target(cfg, "http://flag:2", "from-flag", lookup);
  EXPECT_EQ(t.url, "http://flag:2");
  EXPECT_EQ(t.token, "from-flag");
  env.clear();
  cfg.watchdog.url = "http://watched:3";
  EXPECT_EQ(resolve_target(cfg, "", "", lookup, true).url, "http://watched:3");
  EXPECT_EQ(resolve_target(cfg, "", "", lookup, false).url, "http://127.0.0.1:9000");
}

TEST(Target, ListenUrlBracketsIpv6AndMapsWildcards) {
  EXPECT_EQ(listen_url({"::", 8080}), "http://[::1]:8080");
  EXPECT_EQ(listen_url({"fe80::1", 80}), "http://[fe80::1]:80");
  EXPECT_EQ(listen_url({"localhost", 8080}), "http://localhost:8080");
}

TEST(HealthReport, ParsesChecksAndKeepsTheWorstEntry) {
  auto report = parse_health_report(R"({"status":"warn","output":"degraded","checks":{
    "redis:connection":[{"status":"warn","output":"connection refused"}],
    "sources:plug":[{"status":"pass"},{"status":"fail","output":"timeout"}],
    "eventloop:lag":[{"status":"pass","observedValue":0.1}]}})");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->status, HealthStatus::warn);
  EXPECT_EQ(report->output, "degraded");
  ASSERT_EQ(report->checks.size(), 3U);
  EXPECT_EQ(report->checks[0].name, "eventloop:lag");
  EXPECT_EQ(report->checks[2].name, "sources:plug");
  EXPECT_EQ(report->checks[2].status, HealthStatus::fail);
  EXPECT_EQ(report->trouble_summary(),
            "redis:connection warn (connection refused), sources:plug fail (timeout)");
}

TEST(HealthReport, RejectsGarbageWithAReason) {
  EXPECT_EQ(parse_health_report("<html>oops</html>").error().message,
            "the answer is not JSON (invalid JSON at byte 1: syntax error while parsing value - "
            "invalid literal; last read: '<'): \"<html>oops</html>\"");
  EXPECT_EQ(parse_health_report("[1]").error().message, "the answer is not a JSON object");
  EXPECT_EQ(parse_health_report(R"({"status":"great"})").error().message,
            "the answer has no valid \"status\" (expected pass, warn or fail)");
  EXPECT_EQ(parse_health_report(R"({"status":"pass","checks":{"a":[{"x":1}]}})").error().message,
            "check \"a\" has no valid \"status\"");
}

TEST(Nagios, LineCarriesStateTextAndPerfdata) {
  ReadinessProbe probe;
  probe.state = NagiosState::critical;
  probe.text = "not ready: a|b fail";
  probe.latency = std::chrono::microseconds(4200);
  EXPECT_EQ(nagios_line(probe), "HOMECTL CRITICAL - not ready: a/b fail | latency=0.004s");
}
