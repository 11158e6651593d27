#include "support/process.hpp"
#include "support/recording_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>

// `homectl watchdog` against input crafted to hurt: notifier URLs full of
// secrets, state files that are links, FIFOs, huge or deeply nested, and
// descriptors it must not hand to a command. Every run is bounded by
// run_homectl()'s timeout.

using namespace homectl::testing;
using namespace std::chrono_literals;

namespace {

const char* const k_pass = R"({"status":"pass","checks":{}})";
const char* const k_fail =
    R"({"status":"fail","checks":{"sources:plug":[{"status":"fail","output":"timed out"}]}})";

// Every secret the notifier URLs below carry; none may ever be printed or stored.
const std::array<std::string, 12> k_secrets{
    "hookuser",
    "hook-pass-SECRET1",
    "aG9va3VzZXI6aG9vay1wYXNzLVNFQ1JFVDE=", // base64 of hookuser:hook-pass-SECRET1
    "QUERY-SECRET2",
    "HA-WEBHOOK-ID-SECRET3",
    "ntfy-topic-SECRET4",
    "gotify-SECRET5",
    "closed-user",
    "CLOSED-SECRET6",
    "CLOSED-SECRET7",
    "CLOSED-SECRET8",
    "ntfy-token-SECRET9",
};

class HostileWatchdog : public ::testing::Test {
protected:
  void SetUp() override {
    set_ready(true);
    state_path = dir / "state.json";
  }

  void set_ready(bool ready) {
    for (const char* path : {"/ready", "/health"}) {
      daemon.reply("GET", path,
                   ready ? Reply{200, k_pass, "application/health+json", {}, 0ms}
                         : Reply{503, k_fail, "application/health+json", {}, 0ms});
    }
  }

  std::string authority() const { return "127.0.0.1:" + std::to_string(receiver.port()); }

  // Five HTTP notifiers with a secret in userinfo, query and path, one that
  // cannot be reached, and a command.
  void write_config(const std::string& command) {
    const std::string base = "http://" + authority();
    nlohmann::json notify = nlohmann::json::array(
        {{{"type", "webhook"},
          {"url", "http://hookuser:hook-pass-SECRET1@" + authority() + "/hook-a"}},
         {{"type", "webhook"}, {"url", base + "/hook-b?token=QUERY-SECRET2&x=1"}},
         {{"type", "webhook"}, {"url", base + "/api/webhook/HA-WEBHOOK-ID-SECRET3"}},
         {{"type", "ntfy"}, {"url", base + "/ntfy-topic-SECRET4"}, {"token", "ntfy-token-SECRET9"}},
         {{"type", "gotify"}, {"url", base + "/gotify-SECRET5"}},
         {{"type", "webhook"},
          {"url", "http://closed-user:CLOSED-SECRET6@127.0.0.1:1/api/webhook/"
                  "CLOSED-SECRET7?token=CLOSED-SECRET8"},
          {"timeout", "1s"}},
         {{"type", "command"}, {"argv", {"/bin/sh", "-c", command}}, {"timeout", "5s"}}});
    nlohmann::json cfg{
        {"watchdog", {{"failure_threshold", 1}, {"success_threshold", 1}, {"notify", notify}}}};
    write_file(dir / "homectl.json", cfg.dump(2));
  }

  ProcessResult once() {
    return run_homectl({"--config", (dir / "homectl.json").string(), "watchdog", "--once", "--url",
                        daemon.url(), "--state-file", state_path.string()},
                       {{"HOMECTL_URL", ""}, {"HOMECTL_TOKEN", ""}});
  }

  static void expect_no_secret(const std::string& where, const std::string& text) {
    for (const auto& secret : k_secrets) {
      EXPECT_EQ(text.find(secret), std::string::npos) << where << " holds " << secret << ":\n"
                                                      << text;
    }
  }

  TempDir dir;
  RecordingServer daemon;
  RecordingServer receiver;
  std::filesystem::path state_path;
};

mode_t mode_of(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

} // namespace

TEST_F(HostileWatchdog, NotifierSecretsStayOutOfOutputAndStateButStillAuthenticate) {
  write_config("true");
  receiver.reply("POST", "/hook-b", Reply{500, "boom", "text/plain", {}, 0ms});
  ASSERT_EQ(once().exit_code, 0);
  set_ready(false);
  auto down = once();
  EXPECT_EQ(down.exit_code, 1) << "a delivery failed, so the run fails";

  // The requests arrive as configured: Basic auth from the userinfo, the query
  // token and the secret paths intact.
  auto a = receiver.requests_to("/hook-a");
  ASSERT_EQ(a.size(), 1U);
  EXPECT_EQ(a[0].header("Authorization"), "Basic aG9va3VzZXI6aG9vay1wYXNzLVNFQ1JFVDE=");
  auto b = receiver.requests_to("/hook-b");
  ASSERT_EQ(b.size(), 3U); // three attempts in one run
  EXPECT_EQ(b[0].query, "token=QUERY-SECRET2&x=1");
  EXPECT_EQ(receiver.requests_to("/api/webhook/HA-WEBHOOK-ID-SECRET3").size(), 1U);
  auto ntfy = receiver.requests_to("/ntfy-topic-SECRET4");
  ASSERT_EQ(ntfy.size(), 1U);
  EXPECT_EQ(ntfy[0].header("Authorization"), "Bearer ntfy-token-SECRET9");
  EXPECT_EQ(receiver.requests_to("/gotify-SECRET5/message").size(), 1U);

  // What the journal gets names each notifier by type, number and host.
  const std::string host = authority();
  for (const auto& label : {"webhook#1 " + host, "webhook#3 " + host, "ntfy#1 " + host,
                            "gotify#1 " + host, std::string("command#1")}) {
    EXPECT_NE(down.out.find("delivered to " + label + "\n"), std::string::npos) << label << "\n"
                                                                                << down.out;
  }
  EXPECT_NE(down.err.find("delivery to webhook#2 " + host + " failed (HTTP 500)"),
            std::string::npos)
      << down.err;
  EXPECT_NE(down.err.find("delivery to webhook#4 127.0.0.1:1 failed (cannot connect"),
            std::string::npos)
      << down.err;
  expect_no_secret("stdout", down.out);
  expect_no_secret("stderr", down.err);

  // The state file keys the two owed deliveries by label, and the error kept
  // for the unreachable one has no URL either.
  const auto text = read_file(state_path);
  expect_no_secret("the state file", text);
  auto state = nlohmann::json::parse(text);
  ASSERT_EQ(state["queue"].size(), 2U) << text;
  EXPECT_EQ(state["queue"][0]["notifier"], "webhook#2 " + host);
  EXPECT_EQ(state["queue"][1]["notifier"], "webhook#4 127.0.0.1:1");
  EXPECT_EQ(state["queue"][1]["last_error"].get<std::string>().rfind("cannot connect", 0), 0U)
      << text;

  // --test-notify shows the same labels.
  auto test = run_homectl({"--config", (dir / "homectl.json").string(), "watchdog", "--test-notify",
                           "--url", daemon.url()},
                          {{"HOMECTL_URL", ""}, {"HOMECTL_TOKEN", ""}});
  EXPECT_EQ(test.exit_code, 1);
  EXPECT_NE(test.out.find("webhook#4 127.0.0.1:1"), std::string::npos) << test.out;
  EXPECT_NE(test.out.find("gotify#1 " + host), std::string::npos) << test.out;
  expect_no_secret("--test-notify stdout", test.out);
  expect_no_secret("--test-notify stderr", test.err);
}

TEST_F(HostileWatchdog, QueueKeyedByUrlByAnOlderVersionIsDroppedNotAnError) {
  write_config("true");
  ASSERT_EQ(once().exit_code, 0);
  auto state = nlohmann::json::parse(read_file(state_path));
  nlohmann::json legacy{{"id", 1},
                        {"notifier", "webhook http://closed-user:CLOSED-SECRET6@127.0.0.1:1/api/"
                                     "webhook/CLOSED-SECRET7?token=CLOSED-SECRET8"},
                        {"notification",
                         {{"state", "down"},
                          {"previous", "up"},
                          {"since_ms", 1},
                          {"message", "m"},
                          {"checks", ""},
                          {"reminder", false},
                          {"test", false}}},
                        {"attempts", 3},
                        {"created_ms", 1},
                        {"next_attempt_ms", 1},
                        {"last_error", "http://127.0.0.1:1/api/webhook/CLOSED-SECRET7: refused"}};
  state["queue"].push_back(legacy);
  write_file(state_path, state.dump());

  auto r = once();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dropped 1 queued notification(s) of an older version"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "");
  expect_no_secret("stdout", r.out);
  const auto text = read_file(state_path);
  expect_no_secret("the state file", text);
  EXPECT_TRUE(nlohmann::json::parse(text)["queue"].empty()) << text;
}

TEST_F(HostileWatchdog, ASymlinkAtTheStatePathIsRefusedAndNeverFollowed) {
  write_config("true");
  const auto target = dir / "precious";
  write_file(target, "precious data\n");
  std::filesystem::create_symlink(target, state_path);
  auto r = once();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(state_path.string() + ": is a symbolic link; refusing to follow it"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("error: cannot save the state: " + state_path.string() +
                       ": is a symbolic link; refusing to replace it"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(read_file(target), "precious data\n");
  EXPECT_TRUE(std::filesystem::is_symlink(state_path));

  // A dangling link is not followed to create its target either.
  std::filesystem::remove(state_path);
  const auto planted = dir / "created-through-the-link";
  std::filesystem::create_symlink(planted, state_path);
  EXPECT_EQ(once().exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(planted));
  EXPECT_TRUE(std::filesystem::is_symlink(state_path));
}

TEST_F(HostileWatchdog, AFifoAtTheStatePathIsRefusedWithoutHanging) {
  write_config("true");
  ASSERT_EQ(::mkfifo(state_path.c_str(), 0600), 0);
  auto r = once();
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(state_path.string() + ": not a regular file"), std::string::npos) << r.err;
}

TEST_F(HostileWatchdog, CreatedDirectoriesAre0700AndTheFile0600WhateverTheUmask) {
  write_config("true");
  state_path = dir / "a" / "b" / "c" / "state.json";
  const mode_t old_umask = ::umask(0); // inherited by homectl
  auto r = once();
  ::umask(old_umask);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(dir / "a"), 0700U);
  EXPECT_EQ(mode_of(dir / "a" / "b"), 0700U);
  EXPECT_EQ(mode_of(dir / "a" / "b" / "c"), 0700U);
  EXPECT_EQ(mode_of(state_path), 0600U);
}

TEST_F(HostileWatchdog, OversizedOrDeeplyNestedStateIsRefusedAndReplaced) {
  write_config("true");
  write_file(state_path, std::string(3 << 20, ' ') + "{}");
  auto big = once();
  EXPECT_EQ(big.exit_code, 0) << big.err;
  EXPECT_NE(big.err.find(state_path.string() +
                         ": larger than 1024 KiB; not a watchdog state file; starting afresh"),
            std::string::npos)
      << big.err;
  EXPECT_LT(std::filesystem::file_size(state_path), 4096U);

  write_file(state_path, std::string(500'000, '[') + std::string(500'000, ']'));
  auto deep = once();
  EXPECT_EQ(deep.exit_code, 0) << deep.err;
  EXPECT_NE(deep.err.find("damaged watchdog state: JSON nests deeper than 8 levels at byte 9"),
            std::string::npos)
      << deep.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(state_path))["machine"]["reported"], "up");
}

TEST_F(HostileWatchdog, CommandNotifierSeesOnlyDescriptors0To2) {
  const auto listing = dir / "fds";
  // ls lists the shell's descriptors: `exec >` opens no other (a plain `>`
  // would keep a copy of stdout), and `; true` keeps the shell alive meanwhile.
  write_config("exec > " + listing.string() + "; ls /proc/$$/fd; true");
  // A descriptor without O_CLOEXEC, as a careless parent would hand to homectl.
  const int leaked = ::open((dir / "leaked").c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(leaked, 3);
  ASSERT_EQ(once().exit_code, 0);
  set_ready(false);
  auto r = once();
  ::close(leaked);
  EXPECT_NE(r.out.find("delivered to command#1\n"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(read_file(listing), "0\n1\n2\n");
}
