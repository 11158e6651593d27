#include "homectl/log/logger.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace homectl::log {
namespace {

TEST(LogFormatJson, EscapesEverythingIntoValidJson) {
  const std::string nasty = "quote\" back\\slash\nnew\tline\x01\x7f bad\xff\xfe utf8";
  const auto line = format_json(
      "2026-11-26T10:00:00.000Z", Level::warn, "homectl", nasty,
      {{"endpoint", "/v1/sources/{name}"}, {"field", nasty}, {"latency_ms", 1.5}, {"status", 200}});
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one record is one line";
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["ts"], "2026-11-26T10:00:00.000Z");
  EXPECT_EQ(parsed["level"], "warn");
  EXPECT_EQ(parsed["service"], "homectl");
  EXPECT_EQ(parsed["endpoint"], "/v1/sources/{name}");
  EXPECT_EQ(parsed["status"], 200);
  EXPECT_DOUBLE_EQ(parsed["latency_ms"].get<double>(), 1.5);
  const auto msg = parsed["msg"].get<std::string>();
  EXPECT_NE(msg.find("quote\" back\\slash\nnew\tline\x01"), std::string::npos);
  EXPECT_NE(msg.find("\xEF\xBF\xBD"), std::string::npos) << "invalid UTF-8 became U+FFFD";
}

TEST(LogFormatJson, KeepsKeyOrder) {
  const auto line = format_json("T", Level::info, "svc", "hello", {{"a", 1}});
  EXPECT_EQ(line, R"({"ts":"T","level":"info","service":"svc","msg":"hello","a":1})");
}

TEST(LogFormatText, EscapesControlCharacters) {
  const auto line = format_text("T", Level::error, "two\nlines\x01", {{"source", "wea ther"}});
  EXPECT_EQ(line, "T ERROR two\\nlines\\x01 source=wea ther");
}

// A temporary directory for log files, removed afterwards; the logger goes
// back to standard output with the default settings.
class LogDestination : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "homectl-log-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }
  void TearDown() override {
    setup(config::LogConfig{});
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string dir;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

TEST_F(LogDestination, BackgroundWritingKeepsOrderAndFlushesWhenItEnds) {
  config::LogConfig config;
  config.file = dir + "/homectl.log";
  ASSERT_TRUE(setup(config));
  const auto dropped_before = dropped_records(); // a process-wide total
  constexpr int k_records = 3000;
  {
    BackgroundWriting background;
    for (int i = 0; i < k_records; ++i) {
      info("record", {{"i", i}});
    }
  } // flushed here
  std::ifstream in(config.file);
  std::stringstream text;
  text << in.rdbuf();
  const auto lines = lines_of(text.str());
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(k_records));
  for (int i = 0; i < k_records; ++i) {
    const auto record = nlohmann::json::parse(lines[static_cast<std::size_t>(i)]);
    ASSERT_EQ(record["i"], i);
  }
  EXPECT_EQ(dropped_records(), dropped_before);
}

TEST_F(LogDestination, AReaderThatStopsReadingCostsRecordsAndATextLineSaysHowManyWhere) {
  // The log is a FIFO whose reader (this test) reads nothing until the end.
  const auto fifo = dir + "/log.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  // Filled with newlines up to the last byte first, so the writer's very
  // first write waits (the queue then fills once, and drops one run).
  const std::string newlines(4096, '\n');
  while (::write(reader, newlines.data(), newlines.size()) > 0) {
  }
  while (::write(reader, newlines.data(), 1) > 0) {
  }
  config::LogConfig config;
  config.file = fifo;
  config.format = config::LogFormat::text;
  ASSERT_TRUE(setup(config));
  const auto dropped_before = dropped_records();
  constexpr int k_records = 3000;
  const std::string padding(50, 'x');
  std::string text;
  {
    BackgroundWriting background(std::chrono::seconds(5),
                                 {.max_records = 16, .max_bytes = 1 << 20});
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < k_records; ++i) {
      info("record", {{"i", i}, {"padding", padding}});
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2))
        << "logging waited for the reader";
    EXPECT_GT(dropped_records() - dropped_before, 0U);
    // Now read everything; the writer goes on and says what was lost.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (text.find("log records dropped") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      char buf[65536];
      const auto n = ::read(reader, buf, sizeof buf);
      if (n > 0) {
        text.append(buf, static_cast<std::size_t>(n));
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  }
  char buf[65536];
  for (auto n = ::read(reader, buf, sizeof buf); n > 0; n = ::read(reader, buf, sizeof buf)) {
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(reader);

  // Each note stands where its records were lost: the records it counts are
  // exactly the ones missing between its neighbours. Usually there is one
  // note; a writer thread that starts late drops (and reports) a first run
  // before it reaches the full pipe.
  int records = 0;
  int notes = 0;
  long long lost = 0;
  long long unexplained = 0; // counted by the last note, not yet seen missing
  int last = -1;
  for (const auto& line : lines_of(text)) {
    if (line.empty()) {
      continue; // the filler
    }
    if (const auto at = line.find(" INFO  record i="); at != std::string::npos) {
      const int i = std::stoi(line.substr(at + 16));
      ASSERT_GT(i, last) << "out of order: " << line;
      EXPECT_EQ(i - last - 1, unexplained) << "before " << line;
      unexplained = 0;
      last = i;
      ++records;
    } else if (const auto note = line.find(" WARN  log records dropped count=");
               note != std::string::npos) {
      EXPECT_EQ(unexplained, 0) << "two notes in a row";
      ++notes;
      unexplained = std::stoll(line.substr(note + 33));
      lost += unexplained;
    } else {
      ADD_FAILURE() << "unexpected line: " << line;
    }
  }
  EXPECT_EQ(k_records - 1 - last, unexplained) << "the last records lost";
  EXPECT_GE(notes, 1) << text.substr(text.size() > 2000 ? text.size() - 2000 : 0);
  EXPECT_GT(lost, 0);
  EXPECT_EQ(records + lost, k_records) << "every record was either written or counted";
  EXPECT_EQ(static_cast<long long>(dropped_records() - dropped_before), lost);
}

TEST(LogRfc3339, HasMillisecondsAndZulu) {
  const auto ts = rfc3339_now();
  ASSERT_EQ(ts.size(), 24U);
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
}

} // namespace
} // namespace homectl::log
