#include "support/daemon_process.hpp"
#include "support/process.hpp"
#include "support/recording_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <functional>
#include <regex>
#include <thread>

using namespace homectl::testing;
using namespace std::chrono_literals;

namespace {

// A /ready answer with one "source:<name>" check per entry; a failing one
// carries the daemon's wording around the cause.
std::string ready_body(const std::map<std::string, std::string>& failing,
                       const std::vector<std::string>& passing) {
  nlohmann::json checks = nlohmann::json::object();
  for (const auto& name : passing) {
    checks["source:" + name] = {{{"status", "pass"}, {"componentType", "component"}}};
  }
  for (const auto& [name, cause] : failing) {
    checks["source:" + name] = {
        {{"status", "warn"}, {"output", "refresh failing, serving stale: " + cause}}};
  }
  return nlohmann::json{{"status", failing.empty() ? "pass" : "warn"}, {"checks", checks}}.dump();
}

// A fake daemon whose sources pass or fail as told, a receiver for the
// webhook, ntfy and the heartbeat, and a command notifier writing its
// environment to a file.
class WatchdogSources : public ::testing::Test {
protected:
  void SetUp() override {
    receiver.reply("POST", "/hook", Reply{204, "", "text/plain", {}, 0ms});
    receiver.reply("POST", "/topic", Reply{200, "{}", "application/json", {}, 0ms});
    receiver.reply("GET", "/beat", Reply{200, "ok", "text/plain", {}, 0ms});
    receiver.reply("GET", "/beat/fail", Reply{200, "ok", "text/plain", {}, 0ms});
    sources({}, {"plug", "weather"});
    configure("all", 2);
  }

  void configure(const nlohmann::json& watched, int failure_threshold) {
    nlohmann::json cfg{
        {"watchdog",
         {{"failure_threshold", failure_threshold},
          {"success_threshold", 1},
          {"sources", watched},
          {"notify",
           {{{"type", "webhook"}, {"url", receiver.url() + "/hook"}},
            {{"type", "ntfy"}, {"url", receiver.url() + "/topic"}},
            {{"type", "heartbeat"},
             {"url", receiver.url() + "/beat"},
             {"fail_url", receiver.url() + "/beat/fail"}},
            {{"type", "command"},
             {"argv", {"/bin/sh", "-c", "env | grep ^HOMECTL_ | sort > " + (dir / "env").string()}},
             {"timeout", "2s"}}}}}}};
    write_file(dir / "homectl.json", cfg.dump(2));
  }

  void sources(const std::map<std::string, std::string>& failing,
               const std::vector<std::string>& passing, bool daemon_ready = true) {
    daemon.reply("GET", "/ready",
                 Reply{daemon_ready ? 200 : 503,
                       ready_body(failing, passing),
                       "application/health+json",
                       {},
                       0ms});
    daemon.reply("GET", "/health",
                 Reply{daemon_ready ? 200 : 503,
                       ready_body(failing, passing),
                       "application/health+json",
                       {},
                       0ms});
  }

  ProcessResult homectl(std::vector<std::string> args) {
    std::vector<std::string> all{"--config", (dir / "homectl.json").string()};
    all.insert(all.end(), args.begin(), args.end());
    return run_homectl(all, {{"HOMECTL_URL", ""}, {"HOMECTL_TOKEN", ""}, {"TZ", "UTC"}});
  }

  ProcessResult once() {
    return homectl({"watchdog", "--once", "--url", daemon.url(), "--state-file", state()});
  }

  ProcessResult status(bool json = true) {
    std::vector<std::string> args{"watchdog",   "status",       "--url",
                                  daemon.url(), "--state-file", state()};
    if (json) {
      args.emplace_back("--json");
    }
    return homectl(args);
  }

  std::string state() const { return (dir / "state.json").string(); }

  std::vector<nlohmann::json> hooks() const {
    std::vector<nlohmann::json> out;
    for (const auto& r : receiver.requests_to("/hook")) {
      out.push_back(nlohmann::json::parse(r.body));
    }
    return out;
  }

  TempDir dir;
  RecordingServer daemon;
  RecordingServer receiver;
};

const std::regex
    k_failing_line(R"(weather failing since [0-2][0-9]:[0-5][0-9]: upstream status 503)");

} // namespace

TEST_F(WatchdogSources, EachSourceIsTrackedAndItsMessageNamesItAndTheCause) {
  ASSERT_EQ(once().exit_code, 0);
  EXPECT_EQ(receiver.requests_to("/hook").size(), 0U) << "the first run is silent";
  sources({{"weather", "upstream status 503"}}, {"plug"});
  ASSERT_EQ(once().exit_code, 0);
  EXPECT_EQ(receiver.requests_to("/hook").size(), 0U) << "failure_threshold is 2";
  auto r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("homectl watchdog: homectl: weather failing\n"), std::string::npos) << r.out;

  auto sent = hooks();
  ASSERT_EQ(sent.size(), 1U);
  const auto& hook = sent[0];
  EXPECT_EQ(hook["state"], "up") << "the daemon itself did not change";
  EXPECT_EQ(hook["previous"], "up");
  for (const char* key : {"v", "since", "url", "checks", "message"}) {
    EXPECT_TRUE(hook.contains(key)) << key;
  }
  ASSERT_EQ(hook["sources"].size(), 1U);
  EXPECT_EQ(hook["sources"][0]["source"], "weather");
  EXPECT_EQ(hook["sources"][0]["state"], "failing");
  EXPECT_TRUE(hook["sources"][0]["since"].get<std::string>().ends_with("Z"));
  const auto line = hook["sources"][0]["message"].get<std::string>();
  EXPECT_TRUE(std::regex_match(line, k_failing_line)) << line;
  EXPECT_EQ(hook["message"], line);

  const auto ntfy = receiver.requests_to("/topic");
  ASSERT_EQ(ntfy.size(), 1U);
  EXPECT_EQ(ntfy[0].header("Title"), "homectl: weather failing");
  EXPECT_EQ(ntfy[0].header("Tags"), "rotating_light");
  EXPECT_TRUE(ntfy[0].body.starts_with(line + "\n")) << ntfy[0].body;

  const auto env = read_file(dir / "env");
  EXPECT_NE(env.find("HOMECTL_SOURCES=weather=failing\n"), std::string::npos) << env;
  EXPECT_NE(env.find("HOMECTL_SOURCES_JSON=[{\"message\":\"weather failing since "),
            std::string::npos)
      << env;
  EXPECT_NE(env.find("HOMECTL_TITLE=homectl: weather failing\n"), std::string::npos) << env;

  sources({}, {"plug", "weather"});
  r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  sent = hooks();
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[1]["sources"][0]["state"], "ok");
  EXPECT_TRUE(std::regex_match(sent[1]["sources"][0]["message"].get<std::string>(),
                               std::regex(R"(weather recovered after [0-9]+ s)")))
      << sent[1]["sources"][0]["message"];
  EXPECT_EQ(receiver.requests_to("/topic").back().header("Tags"), "white_check_mark");
}

TEST_F(WatchdogSources, ChangesOfOneRunGoOutAsOneMessagePerNotifier) {
  configure("all", 1);
  ASSERT_EQ(once().exit_code, 0);
  sources({{"weather", "upstream status 503"}, {"plug", "timed out"}}, {}, false);
  auto r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(receiver.requests_to("/hook").size(), 1U);
  ASSERT_EQ(receiver.requests_to("/topic").size(), 1U);
  const auto hook = hooks()[0];
  EXPECT_EQ(hook["state"], "down");
  ASSERT_EQ(hook["sources"].size(), 2U);
  EXPECT_EQ(hook["sources"][0]["source"], "plug");
  EXPECT_EQ(hook["sources"][1]["source"], "weather");
  const auto ntfy = receiver.requests_to("/topic")[0];
  EXPECT_EQ(ntfy.header("Title"), "homectl is DOWN (2 sources failing)");
  const auto& body = ntfy.body;
  EXPECT_TRUE(body.starts_with("homectl down since ")) << body;
  EXPECT_NE(body.find("\nplug failing since "), std::string::npos) << body;
  EXPECT_NE(body.find(": timed out\n"), std::string::npos) << body;
  EXPECT_NE(body.find("\nweather failing since "), std::string::npos) << body;
}

TEST_F(WatchdogSources, RequiredKeepsTheDaemonOnlyMessages) {
  configure("required", 1);
  ASSERT_EQ(once().exit_code, 0);
  sources({{"weather", "upstream status 503"}}, {"plug"});
  ASSERT_EQ(once().exit_code, 0);
  EXPECT_EQ(receiver.requests_to("/hook").size(), 0U) << "a warning source is no change";
  sources({{"weather", "upstream status 503"}}, {"plug"}, false);
  ASSERT_EQ(once().exit_code, 0);
  const auto sent = hooks();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0]["sources"], nlohmann::json::array());
  EXPECT_TRUE(sent[0]["message"].get<std::string>().starts_with("not ready: ")) << sent[0];
}

TEST_F(WatchdogSources, SilenceHoldsChangesBackHeartbeatsGoOnAndOneSummaryFollows) {
  configure("all", 1);
  ASSERT_EQ(once().exit_code, 0);
  auto r =
      homectl({"watchdog", "silence", "2h", "--reason", "router swap", "--state-file", state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(silenced until [0-9-]+ [0-9:]+ \(2 h\): router swap)")))
      << r.out;

  receiver.clear();
  sources({{"weather", "upstream status 503"}}, {}, false);
  r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("change(s) recorded, not sent"), std::string::npos) << r.out;
  sources({{"weather", "upstream status 503"}}, {"plug"}, true);
  ASSERT_EQ(once().exit_code, 0);
  EXPECT_EQ(receiver.requests_to("/hook").size(), 0U);
  EXPECT_EQ(receiver.requests_to("/topic").size(), 0U);
  EXPECT_FALSE(std::filesystem::exists(dir / "env"));
  EXPECT_EQ(receiver.requests_to("/beat").size(), 2U) << "heartbeats say the watchdog is alive";
  EXPECT_EQ(receiver.requests_to("/beat/fail").size(), 0U) << "no fail_url during a silence";

  r = status();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["url"], daemon.url());
  EXPECT_EQ(doc["tracking"], "all");
  EXPECT_EQ(doc["daemon"]["state"], "up");
  EXPECT_EQ(doc["silence"]["reason"], "router swap");
  EXPECT_EQ(doc["silence"]["active"], true);
  ASSERT_EQ(doc["sources"].size(), 2U);
  EXPECT_EQ(doc["sources"][1]["source"], "weather");
  EXPECT_EQ(doc["sources"][1]["state"], "failing");
  EXPECT_EQ(doc["sources"][1]["cause"], "upstream status 503");
  EXPECT_EQ(doc["pending"], nlohmann::json::array());

  r = homectl({"watchdog", "silence", "--clear", "--state-file", state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto sent = hooks();
  ASSERT_EQ(sent.size(), 1U) << "one summary";
  EXPECT_EQ(sent[0]["state"], "up") << "the daemon went down and came back: no difference";
  ASSERT_EQ(sent[0]["sources"].size(), 1U);
  EXPECT_TRUE(
      std::regex_match(sent[0]["sources"][0]["message"].get<std::string>(), k_failing_line));
  EXPECT_EQ(receiver.requests_to("/topic").at(0).header("Title"),
            "homectl silence over: weather failing");
  ASSERT_EQ(once().exit_code, 0);
  EXPECT_EQ(hooks().size(), 1U) << "the summary goes out once";
  doc = nlohmann::json::parse(status().out);
  EXPECT_TRUE(doc["silence"].is_null());
}

TEST_F(WatchdogSources, StatusWithoutAStateFileAndWithAListNamesWhatIsNotReported) {
  configure(nlohmann::json::array({"weather", "ghost"}), 1);
  auto r = status(false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Watching:    " + daemon.url() + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Tracking:    the daemon and the sources weather, ghost\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("ghost    unknown"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Silence:     none\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Pending:     none\n"), std::string::npos) << r.out;
  EXPECT_EQ(receiver.requests().size(), 0U) << "status contacts no notifier";
  EXPECT_EQ(daemon.requests().size(), 0U) << "nor the daemon";

  ASSERT_EQ(once().exit_code, 0);
  r = status(false);
  EXPECT_NE(r.out.find("ghost    not reported"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("weather  ok"), std::string::npos) << r.out;
}

TEST_F(WatchdogSources, PendingDeliveriesShowInStatus) {
  configure("all", 1);
  receiver.reply("POST", "/hook", Reply{500, "no", "text/plain", {}, 0ms});
  ASSERT_EQ(once().exit_code, 0);
  sources({{"weather", "upstream status 503"}}, {"plug"});
  EXPECT_EQ(once().exit_code, 1) << "a failed delivery is retried later";
  const auto doc = nlohmann::json::parse(status().out);
  ASSERT_EQ(doc["pending"].size(), 1U) << doc.dump();
  EXPECT_TRUE(doc["pending"][0]["notifier"].get<std::string>().starts_with("webhook#1 "));
  EXPECT_EQ(doc["pending"][0]["count"], 1);
  EXPECT_EQ(doc["pending"][0]["last_error"], "HTTP 500");
}

TEST_F(WatchdogSources, SilenceUsageErrors) {
  const auto silence = [&](std::vector<std::string> args) {
    std::vector<std::string> all{"watchdog", "silence", "--state-file", state()};
    all.insert(all.end(), args.begin(), args.end());
    return homectl(all);
  };
  for (const auto& args :
       std::vector<std::vector<std::string>>{{},
                                             {"2h", "--clear"},
                                             {"--clear", "--reason", "x"},
                                             {"soon"},
                                             {"0s"},
                                             {"31d"},
                                             {"2h", "--reason", "line\nbreak"},
                                             {"2h", "--reason", std::string(201, 'r')}}) {
    const auto r = silence(args);
    EXPECT_EQ(r.exit_code, 64) << (args.empty() ? "" : args[0]) << ": " << r.err;
    EXPECT_TRUE(r.err.starts_with("homectl: ")) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(state())) << "nothing written on a usage error";
  auto r = silence({"--clear"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "homectl watchdog: no silence is set\n");
  r = silence({"2h", "--reason", std::string(200, 'r')});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(WatchdogSources, AnUnknownSourceNameIsAConfigErrorWithASuggestion) {
  write_file(dir / "homectl.json",
             R"({"sources":{"weather":{"url":"http://127.0.0.1:9/w"}},
                 "watchdog":{"sources":["wether"]}})");
  const auto r = homectl({"config", "validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err)
                .find("watchdog.sources: \"wether\" is not a configured source; did "
                      "you mean \"weather\"?"),
            std::string::npos)
      << r.out << r.err;
}

// The real daemon: a source whose upstream answers 503 is announced with the
// daemon's own cause, and its recovery follows.
TEST(WatchdogSourcesDaemon, ARealDaemonsFailingSourceIsAnnouncedAndItsRecovery) {
  RecordingServer upstream;
  upstream.reply("GET", "/w", Reply{503, "down", "text/plain", {}, 0ms});
  RecordingServer receiver;
  receiver.reply("POST", "/hook", Reply{204, "", "text/plain", {}, 0ms});
  homectl::test::DaemonProcess daemon(nlohmann::json{{"sources",
                                                      {{"weather",
                                                        {{"url", upstream.url() + "/w"},
                                                         {"refresh", "1s"},
                                                         {"retries", 0},
                                                         {"breaker_failures", 1000}}}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  TempDir dir;
  write_file(
      dir / "homectl.json",
      nlohmann::json{{"watchdog",
                      {{"failure_threshold", 1},
                       {"success_threshold", 1},
                       {"sources", {"weather"}},
                       {"notify", {{{"type", "webhook"}, {"url", receiver.url() + "/hook"}}}}}}}
          .dump());
  const auto once = [&] {
    return run_homectl({"--config", (dir / "homectl.json").string(), "watchdog", "--once", "--url",
                        "http://127.0.0.1:" + std::to_string(daemon.port()), "--state-file",
                        (dir / "state.json").string()},
                       {{"HOMECTL_URL", ""}, {"HOMECTL_TOKEN", ""}});
  };
  const auto wait_for_hooks = [&](std::size_t count) {
    for (int i = 0; i < 40 && receiver.requests_to("/hook").size() < count; ++i) {
      EXPECT_EQ(once().exit_code, 0);
      std::this_thread::sleep_for(250ms);
    }
    return receiver.requests_to("/hook").size() >= count;
  };
  ASSERT_TRUE(wait_for_hooks(1));
  auto hook = nlohmann::json::parse(receiver.requests_to("/hook")[0].body);
  ASSERT_EQ(hook["sources"].size(), 1U) << hook.dump();
  EXPECT_TRUE(
      std::regex_match(hook["sources"][0]["message"].get<std::string>(),
                       std::regex(R"(weather failing since \d\d:\d\d: upstream status 503)")))
      << hook.dump();
  upstream.reply("GET", "/w", Reply{200, R"({"t":1})", "application/json", {}, 0ms});
  ASSERT_TRUE(wait_for_hooks(2));
  hook = nlohmann::json::parse(receiver.requests_to("/hook")[1].body);
  EXPECT_EQ(hook["sources"][0]["state"], "ok") << hook.dump();
}

TEST_F(WatchdogSources, ALongRunningWatchdogWithAStateFileTakesUpASilence) {
  configure("all", 1);
  BackgroundHomectl dog({"--config", (dir / "homectl.json").string(), "watchdog", "--url",
                         daemon.url(), "--state-file", state(), "--interval", "200ms"},
                        {{"HOMECTL_URL", ""}, {"HOMECTL_TOKEN", ""}, {"NOTIFY_SOCKET", ""}});
  const auto wait_until = [](const std::function<bool()>& done) {
    for (int i = 0; i < 100 && !done(); ++i) {
      std::this_thread::sleep_for(50ms);
    }
    return done();
  };
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(state()); })) << dog.err();
  auto r = homectl({"watchdog", "silence", "1h", "--state-file", state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  sources({{"weather", "upstream status 503"}}, {"plug"});
  ASSERT_TRUE(wait_until([&] {
    const auto text = read_file(state());
    return text.find("\"last_message\": \"upstream status 503\"") != std::string::npos;
  })) << read_file(state());
  EXPECT_EQ(receiver.requests_to("/hook").size(), 0U) << "silenced";
  EXPECT_NE(read_file(state()).find("\"silence\""), std::string::npos);

  r = homectl({"watchdog", "silence", "--clear", "--state-file", state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(wait_until([&] { return !receiver.requests_to("/topic").empty(); })) << dog.out();
  EXPECT_EQ(receiver.requests_to("/hook").size(), 1U);
  EXPECT_EQ(receiver.requests_to("/topic").at(0).header("Title"),
            "homectl silence over: weather failing");
  dog.signal(SIGTERM);
  EXPECT_EQ(dog.wait_for(5s), 0);
}
