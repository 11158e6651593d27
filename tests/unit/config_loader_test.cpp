#include "homectl/config/loader.hpp"

#include "config_problems.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace homectl::config {
namespace {

std::string read_example() {
  std::ifstream in(HOMECTL_SOURCE_DIR "/examples/homectl.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string all_problems(const LoadResult& r) {
  std::string out;
  for (const auto& p : r.problems) {
    out += p.to_string() + "\n";
  }
  return out;
}

TEST(ConfigLoader, ExampleLoads) {
  const Environment env{{"HOME_API_TOKEN", "s3cret-token"}, {"NTFY_TOKEN", "tk_abc"}};
  const auto r = load_text(read_example(), "homectl.json", env);
  ASSERT_TRUE(r.ok()) << all_problems(r);
  EXPECT_TRUE(r.problems.empty()) << all_problems(r);
  ASSERT_EQ(r.config.sources.size(), 2U);
  EXPECT_EQ(r.config.sources[0].name, "plug");
  EXPECT_EQ(r.config.sources[1].name, "weather");
  EXPECT_EQ(r.config.server.api_token, "s3cret-token");
  const auto* weather = r.config.find_source("weather");
  ASSERT_NE(weather, nullptr);
  EXPECT_EQ(weather->policy.ttl, Duration{15 * 60 * 1000});
  EXPECT_EQ(weather->policy.refresh, Duration{30 * 60 * 1000});
  EXPECT_EQ(weather->policy.timeout, Duration{5000}); // inherited from defaults
  EXPECT_EQ(weather->pick, std::vector<std::string>{"/current"});
  ASSERT_TRUE(weather->rate_limit.has_value());
  EXPECT_EQ(*weather->rate_limit, (Rate{60, Duration{3'600'000}}));
  const auto* plug = r.config.find_source("plug");
  ASSERT_NE(plug, nullptr);
  EXPECT_TRUE(plug->required);
  EXPECT_EQ(plug->policy.timeout, Duration{2000});
  EXPECT_FALSE(r.config.limits.default_class.rate.has_value());
  EXPECT_EQ(r.config.limits.refresh.burst, 30);
  ASSERT_EQ(r.config.watchdog.notify.size(), 3U);
  EXPECT_EQ(r.config.watchdog.notify[0].type, NotifierType::ntfy);
  EXPECT_EQ(r.config.watchdog.notify[0].token, "tk_abc");
  EXPECT_EQ(r.config.watchdog.notify[2].type, NotifierType::command);
  EXPECT_EQ(r.config.watchdog.remind_every, Duration{6 * 3600 * 1000});
}

} // namespace
} // namespace homectl::config

namespace homectl::config {
namespace {

using namespace std::chrono_literals;

using testing::lines;

TEST(ConfigLoader, EmptyObjectIsTheBuiltInDefaults) {
  const auto r = load_text("{}", "homectl.json", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config, Config{});
  EXPECT_EQ(r.origins.at("server.listen"), "default");
}

TEST(ConfigLoader, ReportsTheBriefsExampleMessage) {
  const auto r =
      load_text("{\n  \"sources\": {\n    \"weather\": {\n      \"url\": \"https://x.y/\",\n"
                "      \"ttl\": \"abc\"\n    }\n  }\n}",
                "homectl.json", {});
  EXPECT_EQ(lines(r), std::vector<std::string>{"homectl.json:5:14: sources.weather.ttl: \"abc\" is "
                                               "not a duration (e.g. 30s, 5m)"});
  ASSERT_EQ(r.problems.size(), 1U);
  EXPECT_EQ(r.problems[0].path, "sources.weather.ttl");
  EXPECT_EQ(r.problems[0].line, 5);
  EXPECT_EQ(r.problems[0].column, 14);
  EXPECT_FALSE(r.ok());
}

TEST(ConfigLoader, PrecedenceIsFlagOverEnvOverFileOverDefault) {
  const std::string file = R"({"server": {"listen": "127.0.0.1:1000", "threads": 2},
                               "log": {"level": "debug"}})";
  const Environment env{{"HOMECTL_SERVER_LISTEN", "127.0.0.1:2000"},
                        {"HOMECTL_SERVER_THREADS", "3"}};
  const std::map<std::string, std::string> flags{{"server.listen", "127.0.0.1:3000"}};
  const auto r = load_text(file, "f.json", env, flags);
  ASSERT_TRUE(r.ok()) << all_problems(r);
  EXPECT_EQ(r.config.server.listen.port, 3000);      // flag
  EXPECT_EQ(r.config.server.threads, 3);             // env
  EXPECT_EQ(r.config.log.level, LogLevel::debug);    // file
  EXPECT_EQ(r.config.server.idle_timeout, 60'000ms); // default
  EXPECT_EQ(r.origins.at("server.listen"), "flag");
  EXPECT_EQ(r.origins.at("server.threads"), "env HOMECTL_SERVER_THREADS");
  EXPECT_EQ(r.origins.at("log.level"), "f.json:2:49");
  EXPECT_EQ(r.origins.at("server.idle_timeout"), "default");
}

TEST(ConfigLoader, SourcesInheritUnsetFieldsFromDefaults) {
  const std::string file = R"({"defaults": {"timeout": "3s", "retries": 4},
    "sources": {"a": {"url": "http://a.lan/", "retries": 1}, "b-2": {"url": "http://b.lan/"}}})";
  const Environment env{{"HOMECTL_SOURCES_B_2_TTL", "45s"}, {"HOMECTL_DEFAULTS_TTL", "2m"}};
  const auto r = load_text(file, "f.json", env);
  ASSERT_TRUE(r.ok()) << all_problems(r);
  const auto* a = r.config.find_source("a");
  const auto* b = r.config.find_source("b-2");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->policy.timeout, 3s);
  EXPECT_EQ(a->policy.retries, 1);
  EXPECT_EQ(a->policy.ttl, 2min);
  EXPECT_EQ(b->policy.retries, 4);
  EXPECT_EQ(b->policy.ttl, 45s);
  EXPECT_EQ(r.origins.at("sources.a.timeout"), "defaults.timeout");
  EXPECT_EQ(r.origins.at("sources.b-2.ttl"), "env HOMECTL_SOURCES_B_2_TTL");
}

TEST(ConfigLoader, EnvironmentValuesUseTextSyntax) {
  const std::string file = R"({"sources": {"w": {"url": "http://w.lan/"}}})";
  const Environment env{{"HOMECTL_SERVER_UI", "false"},
                        {"HOMECTL_CACHE_MAX_SIZE", "1048576"},
                        {"HOMECTL_SOURCES_W_PICK", "/a, /b"},
                        {"HOMECTL_SOURCES_W_REFRESH", "off"},
                        {"HOMECTL_LIMITS_REFRESH_RATE", "5/s"}};
  const auto r = load_text(file, "f.json", env);
  ASSERT_TRUE(r.ok()) << all_problems(r);
  EXPECT_FALSE(r.config.server.ui);
  EXPECT_EQ(r.config.cache.max_size, 1024U * 1024);
  EXPECT_EQ(r.config.sources[0].pick, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_FALSE(r.config.sources[0].policy.refresh.has_value());
  EXPECT_EQ(r.config.limits.refresh.rate, (Rate{5, 1000ms}));
}

TEST(ConfigLoader, BadEnvironmentValueNamesTheVariable) {
  const auto r = load_text("{}", "f.json", {{"HOMECTL_SERVER_LISTEN", "nowhere"}});
  EXPECT_EQ(lines(r),
            std::vector<std::string>{
                "HOMECTL_SERVER_LISTEN: \"nowhere\" is not a listen address: missing port "
                "(e.g. 127.0.0.1:8080 or [::1]:8080)"});
  ASSERT_EQ(r.problems.size(), 1U);
  EXPECT_EQ(r.problems[0].origin, "HOMECTL_SERVER_LISTEN");
  EXPECT_EQ(r.problems[0].path, "server.listen");
  EXPECT_TRUE(r.problems[0].file.empty());
}

TEST(ConfigLoader, UnknownEnvironmentVariableIsAWarningWithASuggestion) {
  const Environment env{{"HOMECTL_SERVER_LISTN", "x"},      {"HOMECTL_CONFIG", "/etc/x.json"},
                        {"HOMECTL_URL", "http://x"},        {"HOMECTL_TOKEN", "t"},
                        {"HOMECTL_SOURCES_NOPE_TTL", "5s"}, {"OTHER_VAR", "y"}};
  const auto r = load_text("{}", "f.json", env);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(lines(r),
            (std::vector<std::string>{
                "HOMECTL_SERVER_LISTN: warning: unknown variable (not a homectl setting); did you "
                "mean HOMECTL_SERVER_LISTEN?",
                "HOMECTL_SOURCES_NOPE_TTL: warning: unknown variable (not a homectl setting); "
                "per-source variables need the source in the file "
                "(HOMECTL_SOURCES_<NAME>_<FIELD>)"}));
  EXPECT_EQ(r.problems[0].severity, Severity::warning);
}

TEST(ConfigLoader, UnknownKeysSuggestTheNearestKnownKey) {
  const auto r = load_text(R"({
  "sever": {},
  "server": {"listn": "127.0.0.1:1"},
  "defaults": {"tiemout": "5s", "url": "http://x/"},
  "sources": {"w": {"url": "http://w/", "tmeout": "1s", "zzzzzz": 1}},
  "watchdog": {"notify": [{"type": "ntfy", "url": "http://n/", "tokn": "x"}]}
})",
                           "f.json", {});
  EXPECT_EQ(
      lines(r),
      (std::vector<std::string>{
          R"(f.json:2:3: sever: unknown key "sever"; did you mean "server"?)",
          R"(f.json:3:14: server.listn: unknown key "listn"; did you mean "listen"?)",
          R"(f.json:4:16: defaults.tiemout: unknown key "tiemout"; did you mean "timeout"?)",
          R"(f.json:4:33: defaults.url: unknown key "url" ("url" is set per source, not in defaults))",
          R"(f.json:5:41: sources.w.tmeout: unknown key "tmeout"; did you mean "timeout"?)",
          R"(f.json:5:57: sources.w.zzzzzz: unknown key "zzzzzz")",
          R"(f.json:6:64: watchdog.notify[0].tokn: unknown key "tokn"; did you mean "token"?)"}));
}

TEST(ConfigLoader, ExpandsEnvironmentReferences) {
  const std::string file = R"({"server": {"api_token": "${TOKEN}"},
    "redis": {"prefix": "x-${HOST}-$${literal}-$5"},
    "sources": {"w": {"url": "http://w/", "headers": {"Authorization": "Bearer ${API_KEY}"}}}})";
  const Environment env{{"TOKEN", "abc"}, {"HOST", "box"}, {"API_KEY", "k1"}};
  const auto r = load_text(file, "f.json", env);
  ASSERT_TRUE(r.ok()) << all_problems(r);
  EXPECT_EQ(r.config.server.api_token, "abc");
  EXPECT_EQ(r.config.redis.prefix, "x-box-${literal}-$5");
  EXPECT_EQ(r.config.sources[0].headers.at("Authorization"), "Bearer k1");
}

TEST(ConfigLoader, UnsetEnvironmentReferenceIsAnErrorNamingIt) {
  const auto r = load_text("{\n \"server\": {\"api_token\": \"${MISSING_TOKEN}\"},\n"
                           " \"redis\": {\"prefix\": \"${bad name}\"},\n"
                           " \"log\": {\"file\": \"${UNCLOSED\"}}",
                           "f.json", {});
  EXPECT_EQ(
      lines(r),
      (std::vector<std::string>{
          "f.json:2:26: server.api_token: environment variable MISSING_TOKEN is not set "
          "(referenced as ${MISSING_TOKEN})",
          R"(f.json:3:22: redis.prefix: "${bad name}" is not a valid variable reference (use ${NAME}))",
          R"(f.json:4:18: log.file: unterminated "${" (write "$${" for a literal "${"))"}));
}

TEST(ConfigLoader, TypeMismatchesSayWhatWasExpected) {
  const auto r = load_text(R"({"server": {"threads": "4", "ui": "yes", "max_body_size": -1,
                               "idle_timeout": 30, "listen": 8080},
                               "log": {"level": "verbose", "max_files": 2.5},
                               "sources": {"Bad": {}, "ok": {"url": "http://x/", "pick": "/a"}}})",
                           "f.json", {});
  EXPECT_EQ(
      lines(r),
      (std::vector<std::string>{
          R"(f.json:1:24: server.threads: expected a whole number, got "4")",
          R"(f.json:1:35: server.ui: expected true or false, got "yes")",
          R"(f.json:1:59: server.max_body_size: -1 is not a size: negative sizes are not allowed)",
          R"(f.json:2:48: server.idle_timeout: 30 is not a duration: add a unit in quotes (e.g. "30s"))",
          R"(f.json:2:62: server.listen: expected a listen address (e.g. 127.0.0.1:8080 or [::1]:8080), got 8080)",
          R"(f.json:3:49: log.level: "verbose" is not one of trace, debug, info, warn, error, off)",
          R"(f.json:3:73: log.max_files: 2.5 is not a whole number)",
          R"(f.json:4:44: sources.Bad: "Bad" is not a valid source name: use 1-64 characters a-z, 0-9, "_" or "-", starting with a letter or digit)",
          R"(f.json:4:90: sources.ok.pick: expected an array of JSON Pointers (e.g. ["/current"]), got "/a")"}));
}

TEST(ConfigLoader, EnumSuggestsTheNearestValue) {
  const auto r = load_text(R"({"log": {"format": "jsn"}})", "f.json", {});
  EXPECT_EQ(
      lines(r),
      std::vector<std::string>{
          R"(f.json:1:20: log.format: "jsn" is not one of json, text, auto; did you mean "json"?)"});
}

TEST(ConfigLoader, BoundsAreChecked) {
  const auto r = load_text(R"({"server": {"threads": 65, "max_header_size": "16MiB"},
                               "defaults": {"retries": -1, "timeout": "0s"}})",
                           "f.json", {});
  EXPECT_EQ(lines(r),
            (std::vector<std::string>{
                R"(f.json:1:24: server.threads: 65 is out of range (1 to 64))",
                R"(f.json:1:47: server.max_header_size: "16MiB" is out of range (1KiB to 1MiB))",
                R"(f.json:2:56: defaults.retries: -1 is out of range (0 to 10))",
                R"(f.json:2:71: defaults.timeout: "0s" is out of range (1ms to 10m))"}));
}

TEST(ConfigLoader, CrossFieldRules) {
  const auto r = load_text(R"({
  "server": {"listen": "0.0.0.0:8080"},
  "defaults": {"refresh": "500ms"},
  "sources": {
    "a": {"url": "http://a/", "stale_while_revalidate": "2h", "stale_if_error": "1h"},
    "b": {"url": "https://b/", "tls_verify": false, "refresh": "off"},
    "c": {"url": "https://c/", "ca_file": "/nonexistent/ca.pem", "refresh": "5m"},
    "d": {"refresh": "1m"}
  },
  "watchdog": {"remind_every": "1m", "notify": [
    {"type": "ntfy"}, {"type": "command", "argv": ["page-me"]}, {"type": "command"}, {"url": "http://x/"}]}
})",
                           "f.json", {});
  EXPECT_EQ(
      lines(r),
      (std::vector<std::string>{
          "f.json:2:24: server.listen: warning: listening on \"0.0.0.0:8080\" (not loopback) "
          "without server.api_token: anyone on the network can trigger refreshes and read "
          "/diagnostics",
          "f.json:3:27: defaults.refresh: \"500ms\" is too short: refresh at most once a second "
          "(at least 1s), or use \"off\"",
          "f.json:5:81: sources.a.stale_if_error: stale_if_error (1h) must be at least "
          "stale_while_revalidate (2h): both windows count from expiry",
          "f.json:6:46: sources.b.tls_verify: warning: TLS certificate verification is off: "
          "anyone on the network path can forge responses",
          "f.json:7:43: sources.c.ca_file: cannot read CA file \"/nonexistent/ca.pem\": No such "
          "file or directory",
          "f.json:8:5: sources.d: missing \"url\" (the upstream to fetch) or \"command\" (a "
          "program to run)",
          "f.json:10:32: watchdog.remind_every: \"1m\" is too short: remind at most every 5m, or "
          "use \"off\"",
          "f.json:11:5: watchdog.notify[0].url: a \"ntfy\" notifier needs a \"url\"",
          "f.json:11:51: watchdog.notify[1].argv: \"page-me\" is not an absolute path (commands "
          "run without a shell or PATH search)",
          "f.json:11:65: watchdog.notify[2].argv: a \"command\" notifier needs \"argv\": the "
          "program and its arguments",
          "f.json:11:86: watchdog.notify[3]: missing \"type\" (one of ntfy, gotify, webhook, "
          "command, heartbeat)"}));
}

TEST(ConfigLoader, LoopbackWithoutTokenIsFine) {
  const auto r = load_text(R"({"server": {"listen": "[::1]:8080"}})", "f.json", {});
  EXPECT_TRUE(r.problems.empty()) << all_problems(r);
}

TEST(ConfigLoader, DuplicateKeysAndNonObjectsAreErrors) {
  EXPECT_EQ(lines(load_text(R"({"log": {"level": "info", "level": "debug"}})", "f.json", {})),
            std::vector<std::string>{
                "f.json:1:27: log.level: the key is given twice (only the last one would count)"});
  EXPECT_EQ(lines(load_text("[1]", "f.json", {})),
            std::vector<std::string>{
                "f.json:1:1: the top level must be an object ({...}), not an array"});
  EXPECT_EQ(
      lines(load_text(R"({"server": 1, "watchdog": {"notify": {}}})", "f.json", {})),
      (std::vector<std::string>{"f.json:1:12: server: expected an object ({...}), got a number",
                                "f.json:1:38: watchdog.notify: expected an array of notifiers "
                                "([{...}]), got an object"}));
}

TEST(ConfigLoader, SyntaxErrorIsTheOnlyProblem) {
  const auto r = load_text("{\n  \"a\": }", "f.json", {{"HOMECTL_X", "1"}});
  EXPECT_EQ(
      lines(r),
      std::vector<std::string>{
          R"(f.json:2:8: unexpected "}": expected a value (string, number, object, array, true, false or null))"});
}

TEST(ConfigLoader, FlagForAnUnknownSettingIsAnError) {
  const auto r = load_text("{}", "f.json", {}, {{"server.nope", "1"}});
  EXPECT_EQ(lines(r), std::vector<std::string>{
                          R"(command line: server.nope: unknown setting "server.nope")"});
}

TEST(ConfigLoader, SchemaKeyIsAllowed) {
  EXPECT_TRUE(load_text(R"({"$schema": "./homectl.schema.json"})", "f.json", {}).problems.empty());
}

TEST(ConfigLoader, MissingExplicitFileIsAnError) {
  LoadOptions options;
  options.path = "/nonexistent/homectl.json";
  const auto r = load(options);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(lines(r), std::vector<std::string>{
                          R"(cannot read "/nonexistent/homectl.json": No such file or directory)"});
  options.path = "/";
  EXPECT_EQ(lines(load(options)), std::vector<std::string>{R"(cannot read "/": Is a directory)"});
}

TEST(ConfigLoader, NoFileMeansDefaults) {
  LoadOptions options;
  options.search_default_paths = false;
  options.env = {{"HOMECTL_SERVER_THREADS", "2"}};
  const auto r = load(options);
  ASSERT_TRUE(r.ok()) << all_problems(r);
  EXPECT_TRUE(r.file.empty());
  EXPECT_TRUE(r.config.sources.empty());
  EXPECT_EQ(r.config.server.threads, 2);
}

TEST(ConfigLoader, LoadsAFileFromDisk) {
  LoadOptions options;
  options.path = HOMECTL_SOURCE_DIR "/examples/homectl.json";
  options.env = {{"HOME_API_TOKEN", "t"}, {"NTFY_TOKEN", "n"}};
  const auto r = load(options);
  ASSERT_TRUE(r.ok()) << all_problems(r);
  EXPECT_EQ(r.file, options.path);
  EXPECT_EQ(r.config.sources.size(), 2U);
}

TEST(ConfigLoader, SearchPathsFollowXdg) {
  EXPECT_EQ(default_config_paths({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}}),
            (std::vector<std::string>{"homectl.json", "/x/homectl/homectl.json",
                                      "/etc/homectl/homectl.json"}));
  EXPECT_EQ(default_config_paths({{"HOME", "/h"}}),
            (std::vector<std::string>{"homectl.json", "/h/.config/homectl/homectl.json",
                                      "/etc/homectl/homectl.json"}));
}

TEST(ConfigLoader, HeartbeatNotifiersTakeAFailUrlOthersAreWarned) {
  const auto r = load_text(R"({"watchdog": {"notify": [
    {"type": "heartbeat", "url": "https://hc-ping.com/uuid", "fail_url": "https://hc-ping.com/uuid/fail"},
    {"type": "webhook", "url": "http://127.0.0.1:1/hook", "fail_url": "http://127.0.0.1:1/x"},
    {"type": "heartbeat"}]}})",
                           "f.json", {});
  EXPECT_EQ(lines(r),
            (std::vector<std::string>{
                "f.json:3:71: watchdog.notify[1].fail_url: warning: \"fail_url\" only applies to "
                "a \"heartbeat\" notifier",
                "f.json:4:5: watchdog.notify[2].url: a \"heartbeat\" notifier needs a \"url\""}));
  ASSERT_EQ(r.config.watchdog.notify.size(), 3U);
  EXPECT_EQ(r.config.watchdog.notify[0].type, NotifierType::heartbeat);
  EXPECT_EQ(r.config.watchdog.notify[0].fail_url, "https://hc-ping.com/uuid/fail");
}

} // namespace
} // namespace homectl::config
