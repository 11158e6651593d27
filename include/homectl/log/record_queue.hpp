#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

// The bounded queue between the threads that log and the one thread that
// writes: pushing never waits, and a full queue drops the record and counts it.
namespace homectl::log {

// How much the queue holds before it drops records: whichever limit comes first.
struct QueueLimits {
  std::size_t max_records = 8192;
  std::size_t max_bytes = std::size_t{4} << 20;
};

// One formatted line and how many records were dropped just before it.
struct QueuedRecord {
  std::string line;
  std::uint64_t dropped_before = 0;
};

// What the writer takes at once: every queued record in push order, then how
// many were dropped after the last of them.
struct RecordBatch {
  std::vector<QueuedRecord> records;
  std::uint64_t dropped_after = 0;
  bool closed = false; // close() was called: this is the last batch
};

// Many producers, one consumer. Thread-safe; no I/O under its lock.
class RecordQueue {
public:
  explicit RecordQueue(QueueLimits limits = {});

  // Queues one line. False when it was dropped (the queue is full or closed);
  // the drop is counted and reported with the next batch.
  bool push(std::string line);

  // Waits until there are records or unreported drops, or the queue is
  // closed, then moves them all into `batch` (its previous records are
  // discarded, its capacity reused). The caller owns the batch until written().
  void take(RecordBatch& batch);

  // The consumer finished the batch it took last.
  void written();

  // Waits up to `timeout` until every record pushed and every drop so far has
  // been taken and written, and after close() until the last batch is
  // written. False on timeout.
  bool wait_written(std::chrono::milliseconds timeout);

  // Refuses further records; take() hands out what is left with closed set.
  void close();

  // Records dropped since the queue was made.
  std::uint64_t dropped() const;

private:
  QueueLimits m_limits;
  mutable std::mutex m_mutex;
  std::condition_variable m_ready;   // the consumer waits here for records
  std::condition_variable m_drained; // wait_written() waits here
  std::vector<QueuedRecord> m_records;
  std::size_t m_bytes = 0;
  std::uint64_t m_unreported = 0; // dropped since the last queued record
  std::uint64_t m_dropped = 0;
  bool m_consumer_waiting = false;
  bool m_busy = false; // the consumer holds a batch it has not written yet
  bool m_closed = false;
  bool m_last_taken = false; // the batch the consumer holds is the last one
  bool m_finished = false;   // ... and it has been written
};

} // namespace homectl::log
