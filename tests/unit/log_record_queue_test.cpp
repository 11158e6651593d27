#include "homectl/log/record_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace homectl::log {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> lines_of(const RecordBatch& batch) {
  std::vector<std::string> lines;
  for (const auto& record : batch.records) {
    lines.push_back(record.line);
  }
  return lines;
}

TEST(LogRecordQueue, HandsOutEveryRecordInPushOrder) {
  RecordQueue queue;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(queue.push("line " + std::to_string(i)));
  }
  RecordBatch batch;
  queue.take(batch);
  ASSERT_EQ(batch.records.size(), 100U);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(batch.records[static_cast<std::size_t>(i)].line, "line " + std::to_string(i));
    EXPECT_EQ(batch.records[static_cast<std::size_t>(i)].dropped_before, 0U);
  }
  EXPECT_EQ(batch.dropped_after, 0U);
  EXPECT_FALSE(batch.closed);
  EXPECT_EQ(queue.dropped(), 0U);
}

TEST(LogRecordQueue, DropsAndCountsWhenTheRecordLimitIsReached) {
  RecordQueue queue({.max_records = 3, .max_bytes = 1000});
  EXPECT_TRUE(queue.push("a"));
  EXPECT_TRUE(queue.push("b"));
  EXPECT_TRUE(queue.push("c"));
  EXPECT_FALSE(queue.push("d"));
  EXPECT_FALSE(queue.push("e"));
  EXPECT_EQ(queue.dropped(), 2U);
  RecordBatch batch;
  queue.take(batch);
  EXPECT_EQ(lines_of(batch), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(batch.dropped_after, 2U) << "the drops came after the last queued record";
  queue.written();
  // Taking made room again; the drops were handed out once.
  EXPECT_TRUE(queue.push("f"));
  queue.take(batch);
  EXPECT_EQ(lines_of(batch), (std::vector<std::string>{"f"}));
  EXPECT_EQ(batch.records[0].dropped_before, 0U);
  EXPECT_EQ(batch.dropped_after, 0U);
  EXPECT_EQ(queue.dropped(), 2U);
}

TEST(LogRecordQueue, DropsWhenTheByteLimitIsReachedAndMarksWhereRecordsWereLost) {
  RecordQueue queue({.max_records = 100, .max_bytes = 10});
  EXPECT_TRUE(queue.push("12345678"));
  EXPECT_FALSE(queue.push("123")) << "8 + 3 bytes exceed 10";
  EXPECT_FALSE(queue.push("12345678901")) << "larger than the whole queue";
  EXPECT_TRUE(queue.push("12")) << "exactly 10 bytes fit";
  EXPECT_FALSE(queue.push("x"));
  RecordBatch batch;
  queue.take(batch);
  ASSERT_EQ(lines_of(batch), (std::vector<std::string>{"12345678", "12"}));
  EXPECT_EQ(batch.records[0].dropped_before, 0U);
  EXPECT_EQ(batch.records[1].dropped_before, 2U) << "two records were lost just before it";
  EXPECT_EQ(batch.dropped_after, 1U);
  EXPECT_EQ(queue.dropped(), 3U);
}

TEST(LogRecordQueue, WaitWrittenWaitsForTheConsumerToFinishItsBatch) {
  RecordQueue queue;
  EXPECT_TRUE(queue.wait_written(0ms)) << "nothing queued";
  queue.push("a");
  EXPECT_FALSE(queue.wait_written(10ms)) << "not taken yet";
  RecordBatch batch;
  queue.take(batch);
  EXPECT_FALSE(queue.wait_written(10ms)) << "taken but not written yet";
  queue.written();
  EXPECT_TRUE(queue.wait_written(0ms));
  // A drop alone also has to be reported before the queue counts as written.
  RecordQueue tiny({.max_records = 0, .max_bytes = 10});
  EXPECT_FALSE(tiny.push("a"));
  EXPECT_FALSE(tiny.wait_written(10ms));
  tiny.take(batch);
  EXPECT_TRUE(batch.records.empty());
  EXPECT_EQ(batch.dropped_after, 1U);
  tiny.written();
  EXPECT_TRUE(tiny.wait_written(0ms));
}

TEST(LogRecordQueue, CloseHandsOutWhatIsLeftAndRefusesMore) {
  RecordQueue queue;
  queue.push("a");
  queue.close();
  EXPECT_FALSE(queue.push("b"));
  EXPECT_EQ(queue.dropped(), 1U);
  EXPECT_FALSE(queue.wait_written(10ms)) << "the last batch is still to be written";
  RecordBatch batch;
  queue.take(batch);
  EXPECT_EQ(lines_of(batch), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(batch.closed);
  queue.written();
  EXPECT_TRUE(queue.wait_written(0ms));
}

TEST(LogRecordQueue, ManyProducersLoseNothingWhileTheConsumerKeepsUp) {
  constexpr int k_producers = 4;
  constexpr int k_each = 20000;
  RecordQueue queue({.max_records = 64, .max_bytes = 1 << 20});
  std::vector<std::vector<int>> seen(k_producers);
  std::uint64_t dropped = 0;
  std::thread consumer([&] {
    RecordBatch batch;
    while (true) {
      queue.take(batch);
      for (const auto& record : batch.records) {
        const auto space = record.line.find(' ');
        seen[static_cast<std::size_t>(std::stoi(record.line.substr(0, space)))].push_back(
            std::stoi(record.line.substr(space + 1)));
        dropped += record.dropped_before;
      }
      dropped += batch.dropped_after;
      queue.written();
      if (batch.closed) {
        return;
      }
    }
  });
  std::vector<std::thread> producers;
  std::atomic<int> refused{0};
  for (int p = 0; p < k_producers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < k_each; ++i) {
        // A producer that finds the queue full waits and retries, as a
        // reader that keeps up would let it.
        while (!queue.push(std::to_string(p) + " " + std::to_string(i))) {
          ++refused;
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& producer : producers) {
    producer.join();
  }
  queue.close();
  consumer.join();
  EXPECT_EQ(dropped, static_cast<std::uint64_t>(refused.load())) << "every drop was reported";
  EXPECT_EQ(queue.dropped(), static_cast<std::uint64_t>(refused.load()));
  for (int p = 0; p < k_producers; ++p) {
    const auto& got = seen[static_cast<std::size_t>(p)];
    ASSERT_EQ(got.size(), static_cast<std::size_t>(k_each)) << "producer " << p;
    for (int i = 0; i < k_each; ++i) {
      ASSERT_EQ(got[static_cast<std::size_t>(i)], i) << "producer " << p << " out of order";
    }
  }
}

} // namespace
} // namespace homectl::log
