#pragma once

#include "homectl/log/record_queue.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

// One thread that writes log lines, so the threads that log never wait for
// the log's reader: they queue formatted lines (RecordQueue) and go on.
namespace homectl::log {

// Where log lines end up (standard output, a file). Called by one thread at a time.
class LineSink {
public:
  virtual ~LineSink() = default;
  // Writes one line, its trailing newline included; false when it could not.
  // May block: only the writer (or a program without one) calls it.
  virtual bool write(std::string_view line) = 0;
  // Pushes buffered lines out (after each batch).
  virtual void flush() {}
};

// The writer thread and its queue. Lines are written in push order; records
// dropped because the queue was full or because a write failed are counted,
// and once a write succeeds again one line (`note`) says how many were lost,
// in its place among the others.
class LogWriter {
public:
  // Asked before each batch, so a reload's new sink takes over between batches.
  using SinkSource = std::function<std::shared_ptr<LineSink>()>;
  // Formats the line (newline included) reporting `dropped` lost records.
  using NoteFormat = std::function<std::string(std::uint64_t dropped)>;

  LogWriter(QueueLimits limits, SinkSource sink, NoteFormat note);
  // stop() with a 2 s bound.
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Queues one line (newline included). Never waits; false when it was dropped.
  bool push(std::string line);
  // Waits up to `timeout` until everything queued so far is written.
  bool flush(std::chrono::milliseconds timeout);
  // Flushes for up to `timeout` and ends the thread. False when the thread
  // is still inside a write (a reader that never reads): it is then detached
  // and ends on its own if the write ever returns.
  bool stop(std::chrono::milliseconds timeout);
  // Records dropped so far: queue full, or the write failed.
  std::uint64_t dropped() const;
  // True on the writer thread itself (which must never wait for itself).
  bool on_writer_thread() const;

private:
  struct Shared;
  std::shared_ptr<Shared> m_shared;
  std::thread m_thread;
  std::thread::id m_id; // the thread's, kept after it is detached
};

} // namespace homectl::log
