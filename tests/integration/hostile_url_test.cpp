// Hostile URLs against the real binary: one parser decides what a URL means
// for configuration validation and for the code that connects, so "valid"
// means "will work"; one redaction shows every URL the same way; loopback
// means an address, never a name that merely starts with "127.".
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace homectl::test {
namespace {

using nlohmann::json;

// A config file in a fresh directory, removed at the end of the test.
class ConfigFile {
public:
  explicit ConfigFile(const json& config) {
    char pattern[] = "/tmp/homectl-url-XXXXXX";
    m_dir = ::mkdtemp(pattern);
    m_path = m_dir + "/homectl.json";
    std::ofstream(m_path) << config.dump(2);
  }
  ~ConfigFile() { std::filesystem::remove_all(m_dir); }
  ConfigFile(const ConfigFile&) = delete;
  ConfigFile& operator=(const ConfigFile&) = delete;
  const std::string& path() const { return m_path; }

private:
  std::string m_dir;
  std::string m_path;
};

const testing::Environment k_clean_env = {{"HOMECTL_CONFIG", ""},
                                          {"HOMECTL_REDIS_URL", ""},
                                          {"HOMECTL_SERVER_LISTEN", ""},
                                          {"HOMECTL_SERVER_API_TOKEN", ""},
                                          {"HOMECTL_LOG_LEVEL", ""}};

TEST(HostileUrl, ARedisUrlTheClientWouldRefuseIsAConfigErrorNotASilentlyMissingRedis) {
  // "%zz" is not an escape: the Redis client cannot take this password apart.
  const json config = {{"redis", {{"url", "redis://:s3cr%zz@127.0.0.1:6379"}, {"required", true}}}};
  ConfigFile file(config);
  const auto validate = testing::run_homectl({"config", "validate", file.path()}, k_clean_env);
  EXPECT_EQ(validate.exit_code, 1) << validate.out << validate.err;
  EXPECT_NE(validate.err.find("redis.url: the Redis URL is invalid: malformed %-escape in the user "
                              "or password"),
            std::string::npos)
      << validate.err;
  EXPECT_EQ((validate.out + validate.err).find("s3cr"), std::string::npos) << validate.err;

  // serve refuses it too, instead of running with Redis off and /ready green.
  const auto serve = testing::run_homectl({"serve", "--config", file.path()}, k_clean_env, 20s);
  EXPECT_EQ(serve.exit_code, 78) << serve.out << serve.err;
  EXPECT_NE((serve.out + serve.err).find("redis.url"), std::string::npos) << serve.err;
  EXPECT_EQ((serve.out + serve.err).find("s3cr"), std::string::npos) << serve.err;
}

TEST(HostileUrl, LoopbackMeansAnAddressNotANameThatStartsWith127) {
  const std::string warning = "(not loopback) without server.api_token";
  for (const std::string listen : {"127.evil.example:8080", "localhost.evil.example:8080"}) {
    ConfigFile file(json{{"server", {{"listen", listen}}}});
    const auto r = testing::run_homectl({"config", "validate", file.path()}, k_clean_env);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find(warning), std::string::npos) << listen << ": " << r.out << r.err;
  }
  for (const std::string listen : {"127.0.0.2:8080", "localhost:8080", "[::1]:8080"}) {
    ConfigFile file(json{{"server", {{"listen", listen}}}});
    const auto r = testing::run_homectl({"config", "validate", file.path()}, k_clean_env);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ((r.out + r.err).find(warning), std::string::npos) << listen << ": " << r.out << r.err;
  }
}

TEST(HostileUrl, ASecretUrlIsShownOneWayEverywhereAndNeverInClear) {
  FakeUpstream up;
  up.on("/data", {FakeResponse::json(R"({"ok":true})")});
  const std::string host = "127.0.0.1:" + std::to_string(up.port());
  const std::string url = "http://admin:hunter2@" + host + "/data?key=hunter3&hunter4";
  const std::string shown = "http://<redacted>@" + host + "/data?key=<redacted>&<redacted>";
  const json config = {
      {"log", {{"level", "debug"}}},
      {"sources", {{"meter", {{"url", url}, {"refresh", "off"}, {"retries", 0}}}}}};

  DaemonProcess daemon(config);
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const auto value = request(daemon.port(), "GET", "/v1/sources/meter");
  ASSERT_TRUE(value);
  EXPECT_EQ(value->status, 200) << value->body;
  ASSERT_EQ(up.requests("/data").size(), 1U);
  EXPECT_EQ(up.requests("/data")[0].headers["authorization"], "Basic YWRtaW46aHVudGVyMg==")
      << "the userinfo is still sent, as Basic auth";

  const auto listing = request(daemon.port(), "GET", "/v1/sources");
  ASSERT_TRUE(listing);
  ASSERT_EQ(listing->status, 200);
  EXPECT_NE(listing->body.find(json(shown).dump()), std::string::npos) << listing->body;
  const auto diagnostics = request(daemon.port(), "GET", "/diagnostics");
  ASSERT_TRUE(diagnostics);

  const auto show =
      testing::run_homectl({"config", "show", "--config", daemon.config_path()}, k_clean_env);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find(json(shown).dump()), std::string::npos) << show.out;

  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.wait_exit(10s));
  for (const auto& [where, text] :
       {std::pair<std::string, std::string>{"/v1/sources", listing->body},
        {"/diagnostics", diagnostics->body},
        {"config show", show.out + show.err},
        {"the daemon's log", daemon.output()}}) {
    for (const char* secret : {"hunter2", "hunter3", "hunter4"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << where << ":\n" << text;
    }
  }
}

TEST(HostileUrl, ANotifierUrlIsShownWithoutItsPath) {
  // A Home Assistant webhook id is all it takes to trigger the automation.
  const json config = {
      {"watchdog",
       {{"notify",
         {{{"type", "webhook"}, {"url", "https://ha.lan:8123/api/webhook/s3cret-id?t=s3cret"}}}}}}};
  ConfigFile file(config);
  const auto show = testing::run_homectl({"config", "show", "--config", file.path()}, k_clean_env);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find(R"("https://ha.lan:8123/<redacted>?t=<redacted>")"), std::string::npos)
      << show.out;
  EXPECT_EQ((show.out + show.err).find("s3cret"), std::string::npos) << show.out;
}

} // namespace
} // namespace homectl::test
