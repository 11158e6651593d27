#include "homectl/sources/command_attempt.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace homectl::sources {
namespace {

using namespace std::chrono_literals;

config::SourceConfig source_of(std::vector<std::string> pick = {}) {
  config::SourceConfig source;
  source.name = "disk";
  source.command = {"/usr/sbin/smartctl", "-j", "/dev/sda"};
  source.pick = std::move(pick);
  source.policy.timeout = config::Duration{300};
  source.policy.max_size = 1024;
  return source;
}

util::ChildResult ended(util::ChildEnd end, int code, std::string out = {}, std::string err = {}) {
  util::ChildResult run;
  run.end = end;
  run.code = code;
  run.out = std::move(out);
  run.err = std::move(err);
  return run;
}

TEST(CommandFetcherDecisions, EnvironmentIsTheMinimalOnePlusTheSourcesEntries) {
  EXPECT_EQ(command_environment({}),
            (std::vector<std::string>{"LANG=C.UTF-8", "PATH=/usr/bin:/bin"}));
  EXPECT_EQ(command_environment({{"TOKEN", "s3cret"}, {"PATH", "/opt/bin"}, {"A", ""}}),
            (std::vector<std::string>{"A=", "LANG=C.UTF-8", "PATH=/opt/bin", "TOKEN=s3cret"}));
}

TEST(CommandFetcherDecisions, ContentTypeIsTheOverrideElseJsonElseText) {
  auto source = source_of();
  EXPECT_EQ(command_content_type(source, R"({"a":1})"), "application/json");
  EXPECT_EQ(command_content_type(source, "[1]\n"), "application/json");
  EXPECT_EQ(command_content_type(source, "hello\n"), "text/plain; charset=utf-8");
  EXPECT_EQ(command_content_type(source, ""), "text/plain; charset=utf-8");
  source.content_type = "text/csv";
  EXPECT_EQ(command_content_type(source, R"({"a":1})"), "text/csv");
}

TEST(CommandFetcherDecisions, ExitZeroIsASuccessThroughPick) {
  const auto plain = classify_exit(ended(util::ChildEnd::exited, 0, "ok\n"), source_of());
  EXPECT_TRUE(plain.success);
  EXPECT_EQ(plain.body, "ok\n");
  EXPECT_EQ(plain.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(plain.status, 0);

  const auto picked = classify_exit(ended(util::ChildEnd::exited, 0, R"({"a":{"b":1},"c":2})"),
                                    source_of({"/a/b"}));
  EXPECT_TRUE(picked.success);
  EXPECT_EQ(picked.body, R"({"/a/b":1})");
  EXPECT_EQ(picked.content_type, "application/json");

  auto overridden = source_of({"/a"});
  overridden.content_type = "application/vnd.disk+json";
  EXPECT_EQ(classify_exit(ended(util::ChildEnd::exited, 0, R"({"a":1})"), overridden).content_type,
            "application/vnd.disk+json");
}

TEST(CommandFetcherDecisions, BadJsonUnderPickIsAPermanentInvalidBody) {
  const auto bad = classify_exit(ended(util::ChildEnd::exited, 0, "not json"), source_of({"/a"}));
  EXPECT_FALSE(bad.success);
  EXPECT_EQ(bad.reason, "invalid_body");
  EXPECT_EQ(bad.failure, resilience::AttemptFailure::permanent);
  EXPECT_FALSE(bad.error.empty());
}

TEST(CommandFetcherDecisions, ANonZeroExitNamesTheStatusAndTheFirstLineOfStderr) {
  const auto failed = classify_exit(
      ended(util::ChildEnd::exited, 2, "{}", "smartctl: /dev/sda: No such device\r\nmore\n"),
      source_of());
  EXPECT_FALSE(failed.success);
  EXPECT_EQ(failed.error, "exit status 2: smartctl: /dev/sda: No such device");
  EXPECT_EQ(failed.reason, "exit_status");
  EXPECT_TRUE(resilience::is_retryable(failed.failure, failed.status)) << "like a 5xx";
  EXPECT_EQ(classify_exit(ended(util::ChildEnd::exited, 1), source_of()).error, "exit status 1");
  EXPECT_EQ(classify_exit(ended(util::ChildEnd::exited, 1, "", "\nsecond"), source_of()).error,
            "exit status 1");
  const auto long_line =
      classify_exit(ended(util::ChildEnd::exited, 1, "", std::string(5000, 'x')), source_of());
  EXPECT_EQ(long_line.error.size(), std::string("exit status 1: ").size() + 256);
}

TEST(CommandFetcherDecisions, ASignalIsARetryableExitStatus) {
  const auto killed = classify_exit(ended(util::ChildEnd::signalled, 9), source_of());
  EXPECT_EQ(killed.error, "killed by signal 9");
  EXPECT_EQ(killed.reason, "exit_status");
  EXPECT_TRUE(resilience::is_retryable(killed.failure, killed.status));
}

TEST(CommandFetcherDecisions, OtherEndsHaveTheirReasonAndRetryability) {
  const auto spawn = classify_exit(ended(util::ChildEnd::not_started, ENOENT), source_of());
  EXPECT_EQ(spawn.error, "cannot run /usr/sbin/smartctl: No such file or directory");
  EXPECT_EQ(spawn.reason, "spawn");
  EXPECT_FALSE(resilience::is_retryable(spawn.failure, spawn.status));

  const auto large = classify_exit(ended(util::ChildEnd::too_large, 0), source_of());
  EXPECT_EQ(large.error, "output exceeds max_size 1KiB");
  EXPECT_EQ(large.reason, "too_large");
  EXPECT_FALSE(resilience::is_retryable(large.failure, large.status));

  const auto slow = classify_exit(ended(util::ChildEnd::timed_out, 0), source_of());
  EXPECT_EQ(slow.error, "no exit within 300ms");
  EXPECT_EQ(slow.reason, "timeout");
  EXPECT_EQ(slow.failure, resilience::AttemptFailure::timeout);
}

} // namespace
} // namespace homectl::sources
