// Command sources end to end: the real `homectl serve` running real programs
// (/bin/sh, /bin/sleep, /usr/bin/env) as sources.
#include "support/daemon_process.hpp"
#include "support/observe.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace homectl::test {
namespace {

using nlohmann::json;
using testing::TempDir;

json command_source(std::vector<std::string> argv, json extra = json::object()) {
  json source = {{"command", std::move(argv)},
                 {"ttl", "1m"},
                 {"refresh", "off"},
                 {"timeout", "2s"},
                 {"retries", 0},
                 {"breaker_failures", 100}};
  source.update(extra);
  return source;
}

// Processes whose command line contains `marker` (NUL-separated arguments joined by spaces).
std::vector<std::string> processes_with(const std::string& marker) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) {
      continue;
    }
    std::string cmdline = testing::read_file(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(marker) != std::string::npos) {
      found.push_back(name + ": " + cmdline);
    }
  }
  return found;
}

// The children of `pid` (zombies included), from /proc/*/stat.
std::vector<std::string> children_of(pid_t pid) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string stat = testing::read_file(entry.path() / "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) {
      continue;
    }
    std::istringstream rest(stat.substr(close + 2));
    std::string state;
    pid_t parent = 0;
    rest >> state >> parent;
    if (parent == pid) {
      found.push_back(stat);
    }
  }
  return found;
}

TEST(SourcesCommand, OutputIsTheBodyAndJsonIsRecognised) {
  DaemonProcess daemon(
      json{{"sources",
            {{"json", command_source({"/bin/sh", "-c", R"(echo '{"t": 21.5, "ok": true}')"},
                                     {{"values", {{"t", "/t"}}}})},
             {"text", command_source({"/bin/echo", "hello"})},
             {"typed", command_source({"/bin/echo", "a,b"}, {{"content_type", "text/csv"}})},
             {"env", command_source({"/usr/bin/env"}, {{"env", {{"GREETING", "hi there"}}}})},
             {"cwd", command_source({"/bin/pwd"})}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();

  auto r = request(daemon.port(), "GET", "/v1/sources/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body), (json{{"t", 21.5}, {"ok", true}}));
  EXPECT_EQ(r->header("Content-Type"), "application/json");
  EXPECT_EQ(scrape(daemon, "homectl_source_value", {{"source", "json"}, {"value", "t"}}), 21.5);

  r = request(daemon.port(), "GET", "/v1/sources/text");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello\n");
  EXPECT_EQ(r->header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(request(daemon.port(), "GET", "/v1/sources/typed")->header("Content-Type"), "text/csv");

  r = request(daemon.port(), "GET", "/v1/sources/env");
  ASSERT_TRUE(r);
  std::set<std::string> lines;
  std::istringstream in(r->body);
  for (std::string line; std::getline(in, line);) {
    lines.insert(line);
  }
  EXPECT_EQ(lines,
            (std::set<std::string>{"GREETING=hi there", "LANG=C.UTF-8", "PATH=/usr/bin:/bin"}));
  EXPECT_EQ(request(daemon.port(), "GET", "/v1/sources/cwd")->body, "/\n");

  // The list names the program only: never the arguments or the environment.
  const auto list = request(daemon.port(), "GET", "/v1/sources")->body;
  EXPECT_EQ(list.find("hi there"), std::string::npos) << list;
  EXPECT_EQ(list.find("echo '"), std::string::npos) << list;
  const auto listed = json::parse(list); // named: a loop over a temporary's member would dangle
  for (const auto& source : listed["sources"]) {
    EXPECT_TRUE(source["url"].is_null());
    EXPECT_TRUE(source["command"].is_string());
  }
  for (const auto& source : listed["sources"]) {
    if (source["name"] == "env") {
      EXPECT_EQ(source["command"], "/usr/bin/env");
    }
  }
}

TEST(SourcesCommand, NonZeroExitIsAFailedRefreshNamingStatusAndStderr) {
  DaemonProcess daemon(json{
      {"sources",
       {{"broken", command_source({"/bin/sh", "-c",
                                   "echo 'smartctl: /dev/sdz: No such device' >&2; echo more >&2; "
                                   "exit 3"})},
        {"missing", command_source({"/nonexistent/program"})},
        {"garbled",
         command_source({"/bin/sh", "-c", R"(printf '\377\376\033[31m bad\n' >&2; exit 1)"})}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  auto r = request(daemon.port(), "GET", "/v1/sources/broken");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502) << r->body;
  EXPECT_NE(r->body.find("exit status 3: smartctl: /dev/sdz: No such device"), std::string::npos)
      << r->body;
  EXPECT_EQ(r->body.find("more"), std::string::npos) << "only the first line of stderr";
  EXPECT_EQ(scrape(daemon, "homectl_source_failures_total",
                   {{"source", "broken"}, {"reason", "exit_status"}}),
            1);
  r = request(daemon.port(), "GET", "/v1/sources/missing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502) << r->body;
  EXPECT_EQ(
      scrape(daemon, "homectl_source_failures_total", {{"source", "missing"}, {"reason", "spawn"}}),
      1);
  // Whatever bytes a program writes to stderr, the answers stay valid JSON.
  r = request(daemon.port(), "GET", "/v1/sources/garbled");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_NE(json::parse(r->body)["detail"].get<std::string>().find("exit status 1: "),
            std::string::npos)
      << r->body;
  EXPECT_TRUE(json::parse(request(daemon.port(), "GET", "/v1/sources")->body).is_object());
  EXPECT_TRUE(children_of(daemon.pid()).empty());
}

TEST(SourcesCommand, AHangIsKilledWithItsWholeProcessGroupAtTheTimeout) {
  const std::string marker = "31.4159";
  DaemonProcess daemon(json{
      {"sources",
       {{"hang", command_source({"/bin/sh", "-c",
                                 "/bin/sleep " + marker + " & /bin/sleep " + marker + "; echo {}"},
                                {{"timeout", "500ms"}})}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const auto started = std::chrono::steady_clock::now();
  const auto r = request(daemon.port(), "GET", "/v1/sources/hang", {}, {}, 10s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504) << r->body;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(
      scrape(daemon, "homectl_source_failures_total", {{"source", "hang"}, {"reason", "timeout"}}),
      1);
  // Nothing of it is left: neither the shell, nor its background sleep, nor a zombie.
  EXPECT_TRUE(poll_until([&] { return processes_with(marker).empty(); }, 3s))
      << ::testing::PrintToString(processes_with(marker));
  EXPECT_TRUE(poll_until([&] { return children_of(daemon.pid()).empty(); }, 3s))
      << ::testing::PrintToString(children_of(daemon.pid()));
  EXPECT_EQ(request(daemon.port(), "GET", "/live")->status, 200);
}

TEST(SourcesCommand, OutputOverMaxSizeKillsTheCommand) {
  DaemonProcess daemon(
      json{{"sources",
            {{"big", command_source({"/bin/sh", "-c", "exec /usr/bin/yes homectl-output-flood"},
                                    {{"max_size", "64KiB"}})}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const auto r = request(daemon.port(), "GET", "/v1/sources/big", {}, {}, 10s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502) << r->body;
  EXPECT_EQ(
      scrape(daemon, "homectl_source_failures_total", {{"source", "big"}, {"reason", "too_large"}}),
      1);
  EXPECT_TRUE(poll_until([&] { return processes_with("homectl-output-flood").empty(); }, 3s));
}

TEST(SourcesCommand, ConcurrentRefreshesStayWithinTheOutboundCap) {
  // 50 sources, each a command that notes how many of them run at that
  // moment (files in a directory), runs a while and leaves.
  TempDir dir;
  const auto running = dir / "running";
  std::filesystem::create_directory(running);
  const std::string script = "touch " + running.string() + "/$$; ls " + running.string() +
                             " | wc -l >> " + (dir / "counts").string() + "; /bin/sleep 0.6; rm " +
                             running.string() + "/$$; echo {}";
  json sources = json::object();
  for (int i = 0; i < 50; ++i) {
    sources["s" + std::to_string(i)] =
        command_source({"/bin/sh", "-c", script}, {{"timeout", "30s"}});
  }
  DaemonProcess daemon(json{{"sources", sources}, {"limits", {{"refresh", {{"rate", "off"}}}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  for (int i = 0; i < 50; ++i) {
    const auto r = request(daemon.port(), "POST", "/v1/sources/s" + std::to_string(i) + "/refresh");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
  }
  ASSERT_TRUE(poll_until(
      [&] {
        const auto text = request(daemon.port(), "GET", "/metrics");
        if (!text) {
          return false;
        }
        for (int i = 0; i < 50; ++i) {
          if (metric_value(text->body, "homectl_source_requests_total",
                           {{"source", "s" + std::to_string(i)}, {"outcome", "ok"}})
                  .value_or(0) < 1) {
            return false;
          }
        }
        return true;
      },
      30s))
      << daemon.output();
  std::istringstream counts(testing::read_file(dir / "counts"));
  int most = 0;
  int lines = 0;
  for (int n = 0; counts >> n; ++lines) {
    most = std::max(most, n);
  }
  EXPECT_EQ(lines, 50);
  EXPECT_LE(most, 32) << "the global outbound cap";
  EXPECT_GT(most, 1) << "commands run concurrently";
}

} // namespace
} // namespace homectl::test
