#include "support/process.hpp"
#include "support/recording_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>

using namespace homectl::testing;
using namespace std::chrono_literals;

namespace {

const char* const k_ready_pass = R"({"status":"pass","checks":{}})";
const char* const k_ready_fail =
    R"({"status":"fail","checks":{"sources:plug":[{"status":"fail","output":"timed out"}]}})";

// A fake daemon plus one receiver for ntfy, Gotify and the webhook, and a
// command notifier that writes its environment to a file.
class Watchdog : public ::testing::Test {
protected:
  void SetUp() override {
    set_ready(true);
    receiver.reply("POST", "/hook", Reply{204, "", "text/plain", {}, 0ms});
    receiver.reply("POST", "/topic", Reply{200, "{}", "application/json", {}, 0ms});
    receiver.reply("POST", "/gotify/message", Reply{200, "{}", "application/json", {}, 0ms});
    write_config();
  }

  void write_config(const std::string& command_script = "") {
    const std::string script = command_script.empty()
                                   ? "env | grep ^HOMECTL_ | sort > " + (dir / "env").string()
                                   : command_script;
    nlohmann::json cfg{
        {"watchdog",
         {{"failure_threshold", 3},
          {"success_threshold", 2},
          {"notify",
           {{{"type", "ntfy"}, {"url", receiver.url() + "/topic"}, {"token", "ntfy-secret"}},
            {{"type", "gotify"}, {"url", receiver.url() + "/gotify"}, {"token", "app-token"}},
            {{"type", "webhook"},
             {"url", receiver.url() + "/hook"},
             {"headers", {{"X-Extra", "yes"}}}},
            {{"type", "command"}, {"argv", {"/bin/sh", "-c", script}}, {"timeout", "2s"}}}}}}};
    write_file(dir / "homectl.json", cfg.dump(2));
  }

  void set_ready(bool ready) {
    daemon.reply("GET", "/ready",
                 ready ? Reply{200, k_ready_pass, "application/health+json", {}, 0ms}
                       : Reply{503, k_ready_fail, "application/health+json", {}, 0ms});
    daemon.reply("GET", "/health",
                 ready ? Reply{200, k_ready_pass, "application/health+json", {}, 0ms}
                       : Reply{503, k_ready_fail, "application/health+json", {}, 0ms});
  }

  ProcessResult once(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--config",     (dir / "homectl.json").string(),
                                  "watchdog",     "--once",
                                  "--url",        daemon.url(),
                                  "--state-file", (dir / "state.json").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_homectl(args, {{"HOMECTL_URL", ""}, {"HOMECTL_TOKEN", ""}});
  }

  std::size_t deliveries() const {
    return receiver.requests_to("/topic").size() + receiver.requests_to("/gotify/message").size() +
           receiver.requests_to("/hook").size();
  }

  nlohmann::json state() const { return nlohmann::json::parse(read_file(dir / "state.json")); }

  TempDir dir;
  RecordingServer daemon;
  RecordingServer receiver;
};

} // namespace

TEST_F(Watchdog, FirstRunFindingTheDaemonUpIsSilent) {
  auto r = once();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(deliveries(), 0U);
  EXPECT_EQ(state()["machine"]["reported"], "up");
  EXPECT_FALSE(std::filesystem::exists(dir / "env"));
}

TEST_F(Watchdog, ThresholdsAcrossOnceRunsThenEveryNotifierOnce) {
  ASSERT_EQ(once().exit_code, 0);
  set_ready(false);
  EXPECT_EQ(once().exit_code, 0);
  EXPECT_EQ(once().exit_code, 0);
  EXPECT_EQ(deliveries(), 0U);
  EXPECT_EQ(state()["machine"]["failure_streak"], 2);
  auto third = once();
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(
      third.out.find("homectl is DOWN (up -> down): not ready: sources:plug fail (timed out)"),
      std::string::npos)
      << third.out;

  auto ntfy = receiver.requests_to("/topic");
  ASSERT_EQ(ntfy.size(), 1U);
  EXPECT_EQ(ntfy[0].header("Title"), "homectl is DOWN");
  EXPECT_EQ(ntfy[0].header("Priority"), "4");
  EXPECT_EQ(ntfy[0].header("Tags"), "rotating_light");
  EXPECT_EQ(ntfy[0].header("Authorization"), "Bearer ntfy-secret");
  EXPECT_EQ(ntfy[0].header("Click"), daemon.url() + "/") << "a tap opens the status page";
  EXPECT_TRUE(ntfy[0].body.starts_with("not ready: sources:plug fail (timed out)")) << ntfy[0].body;

  auto gotify = receiver.requests_to("/gotify/message");
  ASSERT_EQ(gotify.size(), 1U);
  EXPECT_EQ(gotify[0].header("X-Gotify-Key"), "app-token");
  auto gbody = nlohmann::json::parse(gotify[0].body);
  EXPECT_EQ(gbody["title"], "homectl is DOWN");
  EXPECT_EQ(gbody["priority"], 8);
  EXPECT_TRUE(gbody["message"].get<std::string>().starts_with("not ready"));

  auto hook = receiver.requests_to("/hook");
  ASSERT_EQ(hook.size(), 1U);
  EXPECT_EQ(hook[0].header("X-Extra"), "yes");
  EXPECT_EQ(hook[0].header("Content-Type"), "application/json");
  auto body = nlohmann::json::parse(hook[0].body);
  EXPECT_EQ(body["v"], 1);
  EXPECT_EQ(body["state"], "down");
  EXPECT_EQ(body["previous"], "up");
  EXPECT_EQ(body["url"], daemon.url());
  EXPECT_EQ(body["message"], "not ready: sources:plug fail (timed out)");
  EXPECT_EQ(body["checks"]["sources:plug"][0]["output"], "timed out");
  EXPECT_TRUE(body["since"].get<std::string>().ends_with("Z"));

  const auto env = read_file(dir / "env");
  EXPECT_NE(env.find("HOMECTL_STATE=down\n"), std::string::npos) << env;
  EXPECT_NE(env.find("HOMECTL_PREVIOUS=up\n"), std::string::npos) << env;
  EXPECT_NE(env.find("HOMECTL_MESSAGE=not ready: sources:plug fail (timed out)\n"),
            std::string::npos)
      << env;
  EXPECT_EQ(env.find("HOMECTL_TOKEN"), std::string::npos);

  // Still down: nothing is sent twice.
  EXPECT_EQ(once().exit_code, 0);
  EXPECT_EQ(once().exit_code, 0);
  EXPECT_EQ(deliveries(), 3U);

  // Recovery needs two good checks.
  set_ready(true);
  std::filesystem::remove(dir / "env");
  EXPECT_EQ(once().exit_code, 0);
  EXPECT_EQ(deliveries(), 3U);
  auto recovered = once();
  EXPECT_EQ(recovered.exit_code, 0);
  EXPECT_EQ(deliveries(), 6U);
  auto last = nlohmann::json::parse(receiver.requests_to("/hook").back().body);
  EXPECT_EQ(last["state"], "up");
  EXPECT_EQ(last["previous"], "down");
  EXPECT_EQ(receiver.requests_to("/topic").back().header("Title"), "homectl recovered");
  EXPECT_NE(read_file(dir / "env").find("HOMECTL_STATE=up\n"), std::string::npos);
}

TEST_F(Watchdog, AFailedDeliveryIsRetriedOnTheNextRunAndNotDuplicated) {
  std::atomic<int> hook_calls{0};
  receiver.handle("POST", "/hook", [&hook_calls](const RecordedRequest&) {
    // The webhook receiver is broken for the first three attempts (one run).
    return ++hook_calls <= 3 ? Reply{500, "boom", "text/plain", {}, 0ms}
                             : Reply{204, "", "text/plain", {}, 0ms};
  });
  ASSERT_EQ(once().exit_code, 0);
  set_ready(false);
  once();
  once();
  auto failing = once();
  EXPECT_EQ(failing.exit_code, 1);
  EXPECT_NE(failing.err.find("delivery to webhook#1 127.0.0.1:" + std::to_string(receiver.port()) +
                             " failed (HTTP 500); it will be retried"),
            std::string::npos)
      << failing.err;
  EXPECT_EQ(receiver.requests_to("/topic").size(), 1U);
  EXPECT_EQ(hook_calls.load(), 3);
  ASSERT_EQ(state()["queue"].size(), 1U);
  EXPECT_EQ(state()["queue"][0]["last_error"], "HTTP 500");

  auto retry = once();
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_EQ(hook_calls.load(), 4);
  EXPECT_EQ(nlohmann::json::parse(receiver.requests_to("/hook").back().body)["state"], "down");
  EXPECT_TRUE(state()["queue"].empty());
  // The others were not sent again.
  EXPECT_EQ(receiver.requests_to("/topic").size(), 1U);
  EXPECT_EQ(receiver.requests_to("/gotify/message").size(), 1U);
  once();
  EXPECT_EQ(hook_calls.load(), 4);
}

TEST_F(Watchdog, HonoursRetryAfterFromA429) {
  std::atomic<int> calls{0};
  receiver.handle("POST", "/topic", [&calls](const RecordedRequest&) {
    return ++calls == 1 ? Reply{429, "slow down", "text/plain", {{"Retry-After", "1"}}, 0ms}
                        : Reply{200, "{}", "application/json", {}, 0ms};
  });
  ASSERT_EQ(once().exit_code, 0);
  set_ready(false);
  once();
  once();
  auto r = once();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(calls.load(), 2);
  EXPECT_TRUE(state()["queue"].empty());
}

TEST_F(Watchdog, UnreachableDaemonIsAnnouncedAsUnreachable) {
  ASSERT_EQ(once().exit_code, 0);
  std::vector<std::string> args{"--config",     (dir / "homectl.json").string(),
                                "watchdog",     "--once",
                                "--url",        "http://127.0.0.1:1",
                                "--state-file", (dir / "state.json").string()};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(run_homectl(args).exit_code, 0);
  }
  auto hook = receiver.requests_to("/hook");
  ASSERT_EQ(hook.size(), 1U);
  EXPECT_EQ(nlohmann::json::parse(hook[0].body)["state"], "unreachable");
}

TEST_F(Watchdog, CommandNotifierIsKilledAfterItsTimeout) {
  write_config("sleep 30");
  ASSERT_EQ(once().exit_code, 0);
  set_ready(false);
  once();
  once();
  auto r = once();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("failed (killed after 2s)"), std::string::npos) << r.err;
  EXPECT_EQ(receiver.requests_to("/hook").size(), 1U);
}

TEST_F(Watchdog, TestNotifyReportsEveryNotifier) {
  receiver.reply("POST", "/gotify/message", Reply{401, "{}", "application/json", {}, 0ms});
  auto r = run_homectl({"--config", (dir / "homectl.json").string(), "watchdog", "--test-notify",
                        "--url", daemon.url()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("ntfy#1 127.0.0.1:" + std::to_string(receiver.port()) + "  "),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("/topic"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAILED  HTTP 401"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok      HTTP 204"), std::string::npos) << r.out;
  EXPECT_EQ(nlohmann::json::parse(receiver.requests_to("/hook").at(0).body)["state"], "test");
  EXPECT_NE(read_file(dir / "env").find("HOMECTL_STATE=test\n"), std::string::npos);
  EXPECT_TRUE(daemon.requests().empty());
}

TEST_F(Watchdog, DamagedStateFileIsReportedAndReplaced) {
  write_file(dir / "state.json", "{garbage");
  auto r = once();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("damaged watchdog state"), std::string::npos) << r.err;
  EXPECT_EQ(state()["machine"]["reported"], "up");
}

TEST_F(Watchdog, LongRunningModeStopsOnSigterm) {
  BackgroundHomectl dog({"--config", (dir / "homectl.json").string(), "watchdog", "--url",
                         daemon.url(), "--interval", "1h"},
                        {{"HOMECTL_URL", ""}});
  ASSERT_TRUE(daemon.wait_for(1, 10s));
  dog.signal(SIGTERM);
  auto code = dog.wait_for(10s);
  ASSERT_TRUE(code) << "watchdog did not stop on SIGTERM";
  EXPECT_EQ(*code, 0) << dog.err();
}

TEST_F(Watchdog, LongRunningModeChecksEveryInterval) {
  auto r = run_homectl({"--config", (dir / "homectl.json").string(), "watchdog", "--url",
                        daemon.url(), "--interval", "50ms", "--iterations", "3"},
                       {{"HOMECTL_URL", ""}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(daemon.requests_to("/ready").size(), 3U);
}

TEST_F(Watchdog, LongRunningModeSpeaksTheSystemdNotifyProtocol) {
  const auto socket_path = (dir / "notify.sock").string();
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);

  BackgroundHomectl dog({"--config", (dir / "homectl.json").string(), "watchdog", "--url",
                         daemon.url(), "--interval", "1h"},
                        {{"HOMECTL_URL", ""}, {"NOTIFY_SOCKET", socket_path}});
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (received.find("STATUS=daemon up") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) == 1) {
      char buf[512];
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        received += std::string(buf, static_cast<std::size_t>(n)) + "\n";
      }
    }
  }
  EXPECT_NE(received.find("READY=1"), std::string::npos) << received;
  EXPECT_NE(received.find("STATUS=daemon up"), std::string::npos) << received;
  dog.signal(SIGTERM);
  ASSERT_TRUE(dog.wait_for(10s));
  char buf[512];
  pollfd p{fd, POLLIN, 0};
  std::string rest;
  while (::poll(&p, 1, 1000) == 1) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      break;
    }
    rest += std::string(buf, static_cast<std::size_t>(n));
  }
  EXPECT_NE(rest.find("STOPPING=1"), std::string::npos) << rest;
  ::close(fd);
}

TEST_F(Watchdog, HeartbeatIsPingedAfterEveryCheckAndItsFailUrlWhenDown) {
  receiver.reply("GET", "/beat", Reply{200, "OK", "text/plain", {}, 0ms});
  receiver.reply("GET", "/beat/fail", Reply{200, "OK", "text/plain", {}, 0ms});
  nlohmann::json cfg{{"watchdog",
                      {{"failure_threshold", 1},
                       {"notify",
                        {{{"type", "heartbeat"},
                          {"url", receiver.url() + "/beat"},
                          {"fail_url", receiver.url() + "/beat/fail"}},
                         {{"type", "webhook"}, {"url", receiver.url() + "/hook"}}}}}}};
  write_file(dir / "homectl.json", cfg.dump(2));
  for (int i = 0; i < 2; ++i) {
    const auto r = once();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
  }
  EXPECT_EQ(receiver.requests_to("/beat").size(), 2U) << "one ping per check, changes or not";
  EXPECT_TRUE(receiver.requests_to("/beat/fail").empty());
  EXPECT_TRUE(receiver.requests_to("/hook").empty()) << "the first run finding it up is silent";

  set_ready(false);
  EXPECT_EQ(once().exit_code, 0);
  EXPECT_EQ(receiver.requests_to("/beat/fail").size(), 1U);
  EXPECT_EQ(receiver.requests_to("/beat").size(), 2U);
  EXPECT_EQ(receiver.requests_to("/hook").size(), 1U) << "the change still goes to the webhook";
  // A heartbeat is never queued: nothing of it is in the state file.
  const auto saved = state(); // named: a loop over a temporary's member would dangle
  for (const auto& queued : saved["queue"]) {
    EXPECT_EQ(queued["notifier"].get<std::string>().find("heartbeat"), std::string::npos);
  }

  // A heartbeat that fails says so and fails the run; the next check pings again.
  set_ready(true);
  receiver.reply("GET", "/beat", Reply{500, "no", "text/plain", {}, 0ms});
  const auto failed = once();
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("homectl watchdog: heartbeat#1 127.0.0.1:" +
                            std::to_string(receiver.port()) + " failed (HTTP 500)"),
            std::string::npos)
      << failed.err;
}

TEST_F(Watchdog, HeartbeatWithoutFailUrlStaysQuietWhileDown) {
  receiver.reply("GET", "/beat", Reply{200, "OK", "text/plain", {}, 0ms});
  nlohmann::json cfg{
      {"watchdog", {{"notify", {{{"type", "heartbeat"}, {"url", receiver.url() + "/beat"}}}}}}};
  write_file(dir / "homectl.json", cfg.dump(2));
  set_ready(false);
  EXPECT_EQ(once().exit_code, 0);
  EXPECT_TRUE(receiver.requests().empty());
  const auto r = run_homectl({"--config", (dir / "homectl.json").string(), "watchdog",
                              "--test-notify", "--url", daemon.url()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(receiver.requests_to("/beat").size(), 1U) << "a test pings the heartbeat";
}
