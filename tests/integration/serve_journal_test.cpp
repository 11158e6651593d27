// Under systemd, stdout is the journal and JOURNAL_STREAM names it: every
// log line then starts with its syslog priority ("<3>" error ... "<7>"
// debug), so `journalctl -p err -u homectl` works. Anywhere else the lines
// are unchanged, even when the variable was inherited by another stdout.
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace homectl::test {
namespace {

using nlohmann::json;

// A file for the daemon's stdout and the JOURNAL_STREAM value naming it.
struct StdoutFile {
  std::string path;
  std::string stream;
  explicit StdoutFile(const std::string& name)
      : path((std::filesystem::temp_directory_path() /
              (name + "-" + std::to_string(::getpid()) + ".log"))
                 .string()) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0) {
      stream = std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
               std::to_string(static_cast<unsigned long long>(st.st_ino));
    }
    if (fd >= 0) {
      ::close(fd);
    }
  }
  ~StdoutFile() { std::filesystem::remove(path); }
  StdoutFile(const StdoutFile&) = delete;
  StdoutFile& operator=(const StdoutFile&) = delete;
  std::vector<std::string> lines() const {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
      out.push_back(line);
    }
    return out;
  }
};

// Runs the daemon with stdout on `out`, one good and one failing source
// read once each (info, warn and debug records), then stops it.
void run_daemon(const StdoutFile& out, std::vector<std::string> env) {
  FakeUpstream up;
  up.on("/ok", {FakeResponse::json(R"({"ok":1})")});
  up.on("/bad", {FakeResponse::status_only(500)});
  const json config = {{"log", {{"level", "debug"}, {"format", "json"}}},
                       {"sources",
                        {{"ok", {{"url", up.url("/ok")}, {"refresh", "off"}}},
                         {"bad", {{"url", up.url("/bad")}, {"refresh", "off"}, {"retries", 0}}}}}};
  DaemonProcess daemon(config, std::move(env));
  daemon.set_stdout_path(out.path);
  ASSERT_TRUE(daemon.start()) << daemon.output();
  (void)request(daemon.port(), "GET", "/v1/sources/ok");
  (void)request(daemon.port(), "GET", "/v1/sources/bad");
  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.wait_exit(10s)) << daemon.output();
}

TEST(ServeJournal, EveryLineCarriesItsPriorityWhenStdoutIsTheJournal) {
  StdoutFile out("homectl-journal");
  ASSERT_FALSE(out.stream.empty());
  run_daemon(out, {"JOURNAL_STREAM=" + out.stream});
  const auto lines = out.lines();
  ASSERT_FALSE(lines.empty());
  const std::map<std::string, std::string> priority = {
      {"error", "<3>"}, {"warn", "<4>"}, {"info", "<6>"}, {"debug", "<7>"}};
  std::set<std::string> seen;
  for (const auto& line : lines) {
    ASSERT_GE(line.size(), 3U) << line;
    const std::string prefix = line.substr(0, 3);
    const auto record = json::parse(line.substr(3), nullptr, false);
    ASSERT_FALSE(record.is_discarded()) << "not JSON once the prefix is stripped: " << line;
    const std::string level = record.value("level", "");
    ASSERT_TRUE(priority.contains(level)) << line;
    EXPECT_EQ(prefix, priority.at(level)) << line;
    seen.insert(level);
  }
  EXPECT_TRUE(seen.contains("info") && seen.contains("warn") && seen.contains("debug"))
      << lines.size() << " lines";
}

TEST(ServeJournal, LinesAreUnchangedWhenJournalStreamNamesAnotherStream) {
  StdoutFile out("homectl-not-journal");
  run_daemon(out, {"JOURNAL_STREAM=1:1"});
  const auto lines = out.lines();
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) {
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_FALSE(json::parse(line, nullptr, false).is_discarded()) << line;
  }
}

} // namespace
} // namespace homectl::test
