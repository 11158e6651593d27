#include "homectl/log/log_writer.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace homectl::log {
namespace {

using namespace std::chrono_literals;

// A sink that can be made to stall (a reader that stops reading) or fail (a
// full disk), and remembers what it wrote.
class FakeSink final : public LineSink {
public:
  bool write(std::string_view line) override {
    std::unique_lock lock(m_mutex);
    ++m_attempts;
    m_changed.notify_all();
    m_changed.wait(lock, [this] { return !m_stalled; });
    if (m_failing) {
      return false;
    }
    m_lines.emplace_back(line);
    return true;
  }
  void stall(bool on) {
    {
      std::lock_guard lock(m_mutex);
      m_stalled = on;
    }
    m_changed.notify_all();
  }
  void fail(bool on) {
    std::lock_guard lock(m_mutex);
    m_failing = on;
  }
  // Waits until write() has been called `n` times in all.
  bool wait_attempts(int n) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, 5s, [&] { return m_attempts >= n; });
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(m_mutex);
    return m_lines;
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  bool m_stalled = false;
  bool m_failing = false;
  int m_attempts = 0;
  std::vector<std::string> m_lines;
};

std::string note(std::uint64_t dropped) {
  return "dropped " + std::to_string(dropped) + "\n";
}

std::unique_ptr<LogWriter> writer_for(const std::shared_ptr<FakeSink>& sink, QueueLimits limits) {
  return std::make_unique<LogWriter>(
      limits, [sink] { return sink; }, note);
}

std::string line(int i) {
  return "line " + std::to_string(i) + "\n";
}

TEST(LogWriter, WritesEveryLineInOrder) {
  auto sink = std::make_shared<FakeSink>();
  auto writer = writer_for(sink, {});
  std::vector<std::string> expected;
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(writer->push(line(i)));
    expected.push_back(line(i));
  }
  ASSERT_TRUE(writer->flush(5s));
  EXPECT_EQ(sink->lines(), expected);
  EXPECT_EQ(writer->dropped(), 0U);
  EXPECT_TRUE(writer->stop(5s));
}

TEST(LogWriter, AStalledReaderCostsRecordsNotWaitsAndOneLineSaysHowMany) {
  auto sink = std::make_shared<FakeSink>();
  sink->stall(true);
  auto writer = writer_for(sink, {.max_records = 4, .max_bytes = 1 << 20});
  ASSERT_TRUE(writer->push(line(0)));
  ASSERT_TRUE(sink->wait_attempts(1)) << "the writer is now inside a write that does not return";
  // Four more fit in the queue; the next six are dropped, and none of the
  // pushes waits for the stalled write.
  for (int i = 1; i <= 10; ++i) {
    EXPECT_EQ(writer->push(line(i)), i <= 4) << i;
  }
  EXPECT_EQ(writer->dropped(), 6U);
  EXPECT_FALSE(writer->flush(20ms));

  sink->stall(false);
  ASSERT_TRUE(writer->flush(5s));
  ASSERT_TRUE(writer->push(line(11)));
  ASSERT_TRUE(writer->flush(5s));
  EXPECT_EQ(sink->lines(), (std::vector<std::string>{line(0), line(1), line(2), line(3), line(4),
                                                     note(6), line(11)}));
  EXPECT_EQ(writer->dropped(), 6U);
}

TEST(LogWriter, FailedWritesAreCountedAndReportedOnceWritingWorksAgain) {
  auto sink = std::make_shared<FakeSink>();
  sink->fail(true);
  auto writer = writer_for(sink, {});
  for (int i = 0; i < 3; ++i) {
    writer->push(line(i));
  }
  ASSERT_TRUE(writer->flush(5s));
  EXPECT_EQ(writer->dropped(), 3U);
  EXPECT_TRUE(sink->lines().empty());
  sink->fail(false);
  writer->push(line(3));
  ASSERT_TRUE(writer->flush(5s));
  EXPECT_EQ(sink->lines(), (std::vector<std::string>{note(3), line(3)}));
}

TEST(LogWriter, StopFlushesWhatIsQueuedAndReportsTrailingDrops) {
  auto sink = std::make_shared<FakeSink>();
  sink->stall(true);
  auto writer = writer_for(sink, {.max_records = 1, .max_bytes = 1 << 20});
  writer->push(line(0));
  ASSERT_TRUE(sink->wait_attempts(1));
  writer->push(line(1));
  writer->push(line(2)); // dropped
  sink->stall(false);
  EXPECT_TRUE(writer->stop(5s));
  EXPECT_EQ(sink->lines(), (std::vector<std::string>{line(0), line(1), note(1)}));
  EXPECT_FALSE(writer->push(line(3))) << "a stopped writer takes nothing";
}

TEST(LogWriter, StopGivesUpOnAWriteThatNeverReturns) {
  auto sink = std::make_shared<FakeSink>();
  sink->stall(true);
  auto writer = writer_for(sink, {});
  writer->push(line(0));
  ASSERT_TRUE(sink->wait_attempts(1));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(writer->stop(50ms));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  writer.reset(); // the detached thread keeps what it needs
  sink->stall(false);
  // The left-behind thread finishes its write and ends on its own.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (sink->lines().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(sink->lines(), std::vector<std::string>{line(0)});
}

} // namespace
} // namespace homectl::log
