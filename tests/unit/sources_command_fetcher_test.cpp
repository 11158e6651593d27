// Runs real programs (/bin/sh, /bin/echo, /bin/cat, /usr/bin/env, /bin/pwd).
#include "homectl/resilience/async_semaphore.hpp"
#include "homectl/sources/command_fetcher.hpp"
#include "homectl/sources/http_fetcher.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

namespace homectl::sources {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace boost::asio::experimental::awaitable_operators;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

config::SourceConfig command(std::vector<std::string> argv) {
  config::SourceConfig source;
  source.name = "cmd";
  source.command = std::move(argv);
  source.policy.timeout = config::Duration{10'000};
  source.policy.retries = 0;
  source.policy.retry_backoff = config::Duration{10};
  return source;
}

// A fresh directory for what a command leaves behind; removed afterwards.
struct TempDir {
  TempDir() {
    std::string name = (fs::temp_directory_path() / "homectl-command-XXXXXX").string();
    path = ::mkdtemp(name.data());
  }
  ~TempDir() { fs::remove_all(path); }
  std::string read(const std::string& file) const {
    std::ifstream in(path / file);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  fs::path path;
};

// Runs the fetches of `all` concurrently on `io`, at most 60 s.
std::vector<FetchResult> fetch_all(asio::io_context& io, Fetcher& fetcher,
                                   const std::vector<config::SourceConfig>& all) {
  std::vector<std::optional<FetchResult>> results(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          cache::Validators none;
          results[i] = co_await fetcher.fetch(all[i], std::move(none));
        },
        asio::detached);
  }
  io.run_for(60s);
  std::vector<FetchResult> out;
  for (auto& result : results) {
    EXPECT_TRUE(result) << "a fetch did not finish";
    out.push_back(result.value_or(FetchResult{}));
  }
  return out;
}

// One fetch through a CommandFetcher with the default outbound cap.
FetchResult fetch_one(const config::SourceConfig& source) {
  asio::io_context io;
  resilience::AsyncSemaphore outbound(32);
  CommandFetcher fetcher(outbound, [] { return 0.5; });
  return fetch_all(io, fetcher, {source}).front();
}

// True when this process has no child left, not even a zombie.
bool no_children_left() {
  int status = 0;
  return ::waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD;
}

// Whether any process (zombies included) is in process group `pgid`.
bool group_exists(pid_t pgid) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue; // not a process
    }
    std::ifstream in(entry.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    const auto after_name = stat.rfind(')');
    if (after_name == std::string::npos) {
      continue;
    }
    std::istringstream fields(stat.substr(after_name + 1));
    std::string state;
    pid_t ppid = 0;
    pid_t group = 0;
    fields >> state >> ppid >> group;
    if (group == pgid) {
      return true;
    }
  }
  return false;
}

// Waits (at most 10 s) for the group to be gone: orphaned grandchildren are
// reaped by init, not by us.
bool group_gone(pid_t pgid) {
  const auto until = SteadyClock::now() + 10s;
  while (group_exists(pgid)) {
    if (SteadyClock::now() > until) {
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

TEST(CommandFetcher, JsonOutputIsServedAsJson) {
  const auto r = fetch_one(command({"/bin/echo", R"({"a":1})"}));
  EXPECT_EQ(r.outcome, FetchOutcome::ok) << r.error;
  EXPECT_EQ(r.body, "{\"a\":1}\n");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.reason, "");
  EXPECT_TRUE(no_children_left());
}

TEST(CommandFetcher, TextOutputIsPlainTextUnlessOverridden) {
  auto source = command({"/bin/echo", "hello"});
  const auto text = fetch_one(source);
  EXPECT_EQ(text.outcome, FetchOutcome::ok) << text.error;
  EXPECT_EQ(text.body, "hello\n");
  EXPECT_EQ(text.content_type, "text/plain; charset=utf-8");
  source.content_type = "text/csv";
  EXPECT_EQ(fetch_one(source).content_type, "text/csv");
}

TEST(CommandFetcher, PickAppliesToStdout) {
  auto source = command({"/bin/echo", R"({"a":{"b":2},"c":3})"});
  source.pick = {"/a/b"};
  const auto picked = fetch_one(source);
  EXPECT_EQ(picked.outcome, FetchOutcome::ok) << picked.error;
  EXPECT_EQ(picked.body, R"({"/a/b":2})");
  EXPECT_EQ(picked.content_type, "application/json");

  auto bad = command({"/bin/echo", "not json"});
  bad.pick = {"/a"};
  bad.policy.retries = 2;
  const auto invalid = fetch_one(bad);
  EXPECT_EQ(invalid.outcome, FetchOutcome::error);
  EXPECT_EQ(invalid.reason, "invalid_body");
  EXPECT_EQ(invalid.attempts, 1) << "bad JSON is not retried";
}

TEST(CommandFetcher, ANonZeroExitNamesTheFirstLineOfStderr) {
  const auto r = fetch_one(command(
      {"/bin/sh", "-c", "echo 'smartctl: /dev/sda: No such device' >&2; echo more >&2; exit 2"}));
  EXPECT_EQ(r.outcome, FetchOutcome::error);
  EXPECT_EQ(r.reason, "exit_status");
  EXPECT_EQ(r.error, "exit status 2: smartctl: /dev/sda: No such device");
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.body.empty());
}

TEST(CommandFetcher, ASignalEndsTheRunAsAnExitStatus) {
  const auto r = fetch_one(command({"/bin/sh", "-c", "kill -9 $$"}));
  EXPECT_EQ(r.outcome, FetchOutcome::error);
  EXPECT_EQ(r.reason, "exit_status");
  EXPECT_EQ(r.error, "killed by signal 9");
}

TEST(CommandFetcher, AMissingProgramIsAPermanentSpawnFailure) {
  auto source = command({"/nonexistent/homectl-probe", "--secret-argument"});
  source.policy.retries = 3;
  const auto r = fetch_one(source);
  EXPECT_EQ(r.outcome, FetchOutcome::error);
  EXPECT_EQ(r.reason, "spawn");
  EXPECT_EQ(r.error, "cannot run /nonexistent/homectl-probe: No such file or directory");
  EXPECT_EQ(r.attempts, 1);
  EXPECT_TRUE(no_children_left());
}

TEST(CommandFetcher, OutputPastMaxSizeKillsTheRun) {
  auto source = command({"/bin/cat", "/dev/zero"});
  source.policy.max_size = 4096;
  source.policy.retries = 2;
  const auto r = fetch_one(source);
  EXPECT_EQ(r.outcome, FetchOutcome::error);
  EXPECT_EQ(r.reason, "too_large");
  EXPECT_EQ(r.error, "output exceeds max_size 4KiB");
  EXPECT_EQ(r.attempts, 1);
  EXPECT_LT(r.duration, 5s);
  EXPECT_TRUE(no_children_left());
}

TEST(CommandFetcher, ATimeoutKillsTheWholeProcessGroup) {
  TempDir dir;
  auto source =
      command({"/bin/sh", "-c", "echo $$ > \"$0/pid\"; sleep 30 & sleep 30", dir.path.string()});
  source.policy.timeout = config::Duration{300};
  const auto r = fetch_one(source);
  EXPECT_EQ(r.outcome, FetchOutcome::timeout);
  EXPECT_EQ(r.reason, "timeout");
  EXPECT_EQ(r.error, "no exit within 300ms");
  EXPECT_LT(r.duration, 5s);
  EXPECT_TRUE(no_children_left());
  const pid_t pgid = std::atoi(dir.read("pid").c_str());
  ASSERT_GT(pgid, 0);
  EXPECT_TRUE(group_gone(pgid)) << "a process of group " << pgid << " is left";
}

TEST(CommandFetcher, ABackgroundGrandchildDoesNotHoldTheRunOpen) {
  TempDir dir;
  const auto r = fetch_one(
      command({"/bin/sh", "-c", "echo $$ > \"$0/pid\"; sleep 30 & echo done", dir.path.string()}));
  EXPECT_EQ(r.outcome, FetchOutcome::ok) << r.error;
  EXPECT_EQ(r.body, "done\n");
  EXPECT_LT(r.duration, 5s);
  EXPECT_TRUE(group_gone(std::atoi(dir.read("pid").c_str())));
}

TEST(CommandFetcher, TheEnvironmentIsMinimalPlusTheSourcesEntries) {
  ::setenv("HOMECTL_TEST_LEAK", "1", 1);
  auto source = command({"/usr/bin/env"});
  source.env = {{"TOKEN", "s3cret"}, {"LANG", "de_DE.UTF-8"}};
  const auto r = fetch_one(source);
  ::unsetenv("HOMECTL_TEST_LEAK");
  ASSERT_EQ(r.outcome, FetchOutcome::ok) << r.error;
  std::vector<std::string> lines;
  std::istringstream in(r.body);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines,
            (std::vector<std::string>{"LANG=de_DE.UTF-8", "PATH=/usr/bin:/bin", "TOKEN=s3cret"}));
}

TEST(CommandFetcher, RunsInTheRootDirectory) {
  const auto r = fetch_one(command({"/bin/pwd"}));
  EXPECT_EQ(r.body, "/\n");
}

TEST(CommandFetcher, AStderrFloodDoesNotBlockTheRun) {
  const auto r = fetch_one(command({"/bin/sh", "-c", "head -c 1000000 /dev/zero >&2; echo '{}'"}));
  EXPECT_EQ(r.outcome, FetchOutcome::ok) << r.error;
  EXPECT_EQ(r.body, "{}\n");
}

TEST(CommandFetcher, RetriesANonZeroExitWithinTheDeadline) {
  TempDir dir;
  auto source = command({"/bin/sh", "-c", "echo run >> \"$0/runs\"; exit 3", dir.path.string()});
  source.policy.retries = 2;
  const auto r = fetch_one(source);
  EXPECT_EQ(r.outcome, FetchOutcome::error);
  EXPECT_EQ(r.reason, "exit_status");
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(dir.read("runs"), "run\nrun\nrun\n");

  auto slow = command({"/bin/sleep", "30"});
  slow.policy.timeout = config::Duration{200};
  slow.policy.retries = 4;
  const auto timed_out = fetch_one(slow);
  EXPECT_EQ(timed_out.outcome, FetchOutcome::timeout);
  EXPECT_GT(timed_out.attempts, 1);
  EXPECT_LE(timed_out.duration, 1000ms + 500ms) << "the overall deadline is 5 x 200ms";
  EXPECT_TRUE(no_children_left());
}

TEST(CommandFetcher, CommandsShareTheGlobalOutboundCapWithHttp) {
  TempDir dir;
  // Each run marks itself running and writes how many runs it saw at once.
  const auto source =
      command({"/bin/sh", "-c",
               "mkdir \"$0/run.$$\"; ls \"$0\" | grep -c '^run\\.' > \"$0/seen.$$\";"
               " sleep 0.2; rmdir \"$0/run.$$\"",
               dir.path.string()});
  HttpFetcherOptions options;
  options.max_concurrent = 2;
  asio::io_context io;
  HttpFetcher fetcher(io.get_executor(), options);
  const auto start = SteadyClock::now();
  const auto results = fetch_all(io, fetcher, std::vector<config::SourceConfig>(6, source));
  EXPECT_GE(SteadyClock::now() - start, 550ms) << "6 runs of 200ms, 2 at a time";
  int runs = 0;
  int most = 0;
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    ++runs;
    most = std::max(most, std::atoi(dir.read(entry.path().filename().string()).c_str()));
  }
  for (const auto& r : results) {
    EXPECT_EQ(r.outcome, FetchOutcome::ok) << r.error;
  }
  EXPECT_EQ(runs, 6);
  EXPECT_GE(most, 1);
  EXPECT_LE(most, 2);
}

TEST(CommandFetcher, AnAbandonedFetchKillsAndReapsItsChild) {
  TempDir dir;
  resilience::AsyncSemaphore outbound(32);
  CommandFetcher fetcher(outbound);
  const auto source =
      command({"/bin/sh", "-c", "echo $$ > \"$0/pid\"; sleep 30 & sleep 30", dir.path.string()});
  {
    asio::io_context io;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          cache::Validators none;
          co_await fetcher.fetch(source, std::move(none));
        },
        asio::detached);
    for (int i = 0; i < 100 && dir.read("pid").empty(); ++i) {
      io.run_for(50ms);
    }
    ASSERT_FALSE(dir.read("pid").empty()) << "the command did not start";
  } // the loop goes with the suspended fetch
  EXPECT_TRUE(no_children_left());
  EXPECT_EQ(outbound.in_use(), 0U);
  EXPECT_TRUE(group_gone(std::atoi(dir.read("pid").c_str())));
}

TEST(CommandFetcher, AFetchCancelledFromOutsideKillsAndReapsItsChild) {
  TempDir dir;
  asio::io_context io;
  resilience::AsyncSemaphore outbound(32);
  CommandFetcher fetcher(outbound);
  const auto source =
      command({"/bin/sh", "-c", "echo $$ > \"$0/pid\"; sleep 30 & sleep 30", dir.path.string()});
  std::optional<std::size_t> winner;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(io, 500ms);
        cache::Validators none;
        auto first = co_await (fetcher.fetch(source, std::move(none)) ||
                               timer.async_wait(asio::as_tuple(asio::use_awaitable)));
        winner = first.index();
      },
      asio::detached);
  io.run_for(20s);
  ASSERT_EQ(winner, 1U) << "the timer wins, the fetch is cancelled";
  EXPECT_TRUE(no_children_left());
  EXPECT_EQ(outbound.in_use(), 0U);
  EXPECT_TRUE(group_gone(std::atoi(dir.read("pid").c_str())));
}

} // namespace
} // namespace homectl::sources
