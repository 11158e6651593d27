#include "support/process.hpp"
#include "support/recording_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>

using namespace homectl::testing;
using namespace std::chrono_literals;

namespace {

Reply refreshed(const std::string& source, const std::string& outcome, bool changed) {
  nlohmann::json body{{"source", source},
                      {"outcome", outcome},
                      {"status", outcome == "ok" ? 200 : 502},
                      {"duration_ms", 84},
                      {"changed", changed}};
  return Reply{200, body.dump(), "application/json", {}, 0ms};
}

class CacheWarm : public ::testing::Test {
protected:
  void SetUp() override {
    daemon.reply(
        "GET", "/v1/sources",
        Reply{200,
              R"({"sources":[{"name":"plug","state":"fresh"},{"name":"weather","state":"stale"}]})",
              "application/json",
              {},
              0ms});
    daemon.reply("POST", "/v1/sources/plug/refresh", refreshed("plug", "ok", false));
    daemon.reply("POST", "/v1/sources/weather/refresh", refreshed("weather", "ok", true));
  }
  ProcessResult warm(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"cache", "warm", "--url", daemon.url()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_homectl(args, {{"HOMECTL_URL", ""}, {"HOMECTL_TOKEN", ""}});
  }
  RecordingServer daemon;
};

} // namespace

TEST_F(CacheWarm, WarmsEverySourceAndPrintsASummary) {
  auto r = warm();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "SOURCE   OUTCOME  STATUS  DURATION  CHANGED  DETAIL\n"
                   "plug     ok       200     84ms      no\n"
                   "weather  ok       200     84ms      yes\n");
  // Not a terminal: plain progress lines.
  EXPECT_NE(r.err.find("warmed 2/2: "), std::string::npos) << r.err;
  auto posts = daemon.requests_to("/v1/sources/weather/refresh");
  ASSERT_EQ(posts.size(), 1U);
  EXPECT_EQ(posts[0].method, "POST");
  EXPECT_EQ(posts[0].query, "wait=5s");
}

TEST_F(CacheWarm, NamedSourcesOnlyWithToken) {
  auto r = run_homectl({"cache", "warm", "--url", daemon.url(), "--token", "t0k", "weather"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(daemon.requests_to("/v1/sources").empty());
  EXPECT_TRUE(daemon.requests_to("/v1/sources/plug/refresh").empty());
  EXPECT_EQ(daemon.requests_to("/v1/sources/weather/refresh").at(0).header("Authorization"),
            "Bearer t0k");
}

TEST_F(CacheWarm, WaitsOutA429) {
  std::atomic<int> calls{0};
  daemon.handle("POST", "/v1/sources/weather/refresh", [&calls](const RecordedRequest&) {
    if (++calls == 1) {
      return Reply{429,
                   R"({"title":"Too Many Requests","status":429})",
                   "application/problem+json",
                   {{"Retry-After", "1"}},
                   0ms};
    }
    return refreshed("weather", "ok", true);
  });
  auto r = warm({"weather"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(calls.load(), 2);
  EXPECT_NE(r.out.find("waited out 1x 429"), std::string::npos) << r.out;
}

TEST_F(CacheWarm, AnyFailureExitsOne) {
  daemon.reply("POST", "/v1/sources/plug/refresh", refreshed("plug", "timeout", false));
  daemon.reply("POST", "/v1/sources/nope/refresh",
               Reply{404,
                     R"({"title":"Not Found","status":404,"detail":"no source named \"nope\""})",
                     "application/problem+json",
                     {},
                     0ms});
  auto r = warm({"plug", "nope", "weather", "--concurrency", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("plug     timeout"), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find("nope     failed   -       -         -        HTTP 404: no source named \"nope\""),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("weather  ok"), std::string::npos) << r.out;
}

TEST_F(CacheWarm, UnauthorizedSaysWhatToDo) {
  daemon.reply(
      "POST", "/v1/sources/plug/refresh",
      Reply{401, R"({"title":"Unauthorized","status":401})", "application/problem+json", {}, 0ms});
  auto r = warm({"plug"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("HTTP 401: Unauthorized (pass --token or set HOMECTL_TOKEN)"),
            std::string::npos)
      << r.out;
}

TEST_F(CacheWarm, UnreachableDaemonFails) {
  auto r = run_homectl({"cache", "warm", "--url", "http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot list sources"), std::string::npos) << r.err;
}
