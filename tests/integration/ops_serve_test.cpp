// The operator commands against the real `homectl serve`.
#include "support/daemon_process.hpp"
#include "support/process.hpp"
#include "support/recording_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>

using namespace std::chrono_literals;
using homectl::test::DaemonProcess;
using homectl::testing::RecordingServer;
using homectl::testing::Reply;
using homectl::testing::run_homectl;
using homectl::testing::TempDir;

namespace {

class OpsAgainstServe : public ::testing::Test {
protected:
  void SetUp() override {
    upstream.reply("GET", "/plug", Reply{200, R"({"on":true})", "application/json", {}, 0ms});
    daemon = std::make_unique<DaemonProcess>(nlohmann::json{
        {"server", {{"api_token", "ops-secret"}}},
        {"sources",
         {{"plug", {{"url", upstream.url() + "/plug"}, {"refresh", "off"}, {"timeout", "2s"}}}}}});
    ASSERT_TRUE(daemon->start()) << daemon->output();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(daemon->port()); }
  homectl::testing::Environment env() const {
    return {{"HOMECTL_URL", url()}, {"HOMECTL_TOKEN", "ops-secret"}, {"HOMECTL_CONFIG", ""}};
  }

  RecordingServer upstream;
  std::unique_ptr<DaemonProcess> daemon;
};

} // namespace

TEST_F(OpsAgainstServe, CheckReadyFollowsTheDaemon) {
  auto r = run_homectl({"check-ready", "-v"}, env());
  EXPECT_LE(r.exit_code, 1) << r.out << r.err; // ready (pass, or warn for a never-fetched source)
  EXPECT_TRUE(r.out.starts_with("HOMECTL OK - ready") ||
              r.out.starts_with("HOMECTL WARNING - ready with warnings"))
      << r.out;
  auto json = run_homectl({"check-ready", "--json"}, env());
  auto doc = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << json.out;
  EXPECT_TRUE(doc.contains("status"));

  daemon->signal(SIGTERM);
  ASSERT_TRUE(daemon->wait_exit(15s));
  auto gone = run_homectl({"check-ready"}, env());
  EXPECT_EQ(gone.exit_code, 3);
  EXPECT_NE(gone.err.find("HOMECTL UNKNOWN - unreachable"), std::string::npos) << gone.err;
}

TEST_F(OpsAgainstServe, MetricsParsesTheRealExposition) {
  // Some traffic first so the request histograms have samples.
  for (int i = 0; i < 3; ++i) {
    run_homectl({"check-ready"}, env());
  }
  auto table = run_homectl({"metrics"}, env());
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("ROUTE"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("/ready"), std::string::npos) << table.out;
  auto json = run_homectl({"metrics", "--format", "json"}, env());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto doc = nlohmann::json::parse(json.out);
  bool saw_ready = false;
  for (const auto& route : doc["routes"]) {
    if (route["route"] == "/ready") {
      saw_ready = true;
      EXPECT_GE(route["requests"].get<double>(), 3.0);
      EXPECT_TRUE(route["p50_s"].is_number()) << route.dump();
    }
  }
  EXPECT_TRUE(saw_ready) << json.out;
}

TEST_F(OpsAgainstServe, WatchdogOnceIsSilentWhileUp) {
  TempDir dir;
  auto r =
      run_homectl({"watchdog", "--once", "--state-file", (dir / "state.json").string()}, env());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  auto state = nlohmann::json::parse(homectl::testing::read_file(dir / "state.json"));
  EXPECT_EQ(state["machine"]["reported"], "up");
}

TEST_F(OpsAgainstServe, CacheWarmRefreshesThroughTheDaemon) {
  auto probe = homectl::test::request(daemon->port(), "GET", "/v1/sources");
  ASSERT_TRUE(probe);
  if (probe->status == 404) {
    GTEST_SKIP() << "this build's daemon has no /v1/sources API yet";
  }
  auto r = run_homectl({"cache", "warm"}, env());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("plug "), std::string::npos) << r.out;
  EXPECT_GE(upstream.requests_to("/plug").size(), 1U);

  upstream.reply("GET", "/plug", Reply{500, "broken", "text/plain", {}, 0ms});
  auto failed = run_homectl({"cache", "warm", "plug"}, env());
  EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
}
