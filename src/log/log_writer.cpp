#include "homectl/log/log_writer.hpp"

#include <atomic>
#include <utility>

namespace homectl::log {

// What the thread uses, kept alive by the thread itself: a writer detached
// while stuck in a write must not outlive its queue.
struct LogWriter::Shared {
  Shared(QueueLimits limits, SinkSource sink_source, NoteFormat note_format)
      : queue(limits), sink(std::move(sink_source)), note(std::move(note_format)) {}

  RecordQueue queue;
  SinkSource sink;
  NoteFormat note;
  std::atomic<std::uint64_t> failed{0}; // writes that failed

  void run() {
    RecordBatch batch;
    std::uint64_t unreported = 0; // lost records not yet told about
    while (true) {
      queue.take(batch);
      const auto out = sink();
      for (const auto& record : batch.records) {
        unreported += record.dropped_before;
        report(*out, unreported);
        if (!out->write(record.line)) {
          failed.fetch_add(1, std::memory_order_relaxed);
          ++unreported;
        }
      }
      unreported += batch.dropped_after;
      report(*out, unreported);
      out->flush();
      queue.written();
      if (batch.closed) {
        return;
      }
    }
  }

  // Says how many records were lost, once a line can be written again. The
  // note itself is not a record: when it cannot be written, the next attempt
  // reports the larger number.
  void report(LineSink& out, std::uint64_t& unreported) {
    if (unreported > 0 && out.write(note(unreported))) {
      unreported = 0;
    }
  }
};

LogWriter::LogWriter(QueueLimits limits, SinkSource sink, NoteFormat note)
    : m_shared(std::make_shared<Shared>(limits, std::move(sink), std::move(note))),
      m_thread([shared = m_shared] { shared->run(); }), m_id(m_thread.get_id()) {}

LogWriter::~LogWriter() {
  stop(std::chrono::seconds(2));
}

bool LogWriter::push(std::string line) {
  return m_shared->queue.push(std::move(line));
}

bool LogWriter::flush(std::chrono::milliseconds timeout) {
  return m_shared->queue.wait_written(timeout);
}

bool LogWriter::stop(std::chrono::milliseconds timeout) {
  if (!m_thread.joinable()) {
    return true;
  }
  m_shared->queue.close();
  if (on_writer_thread() || !m_shared->queue.wait_written(timeout)) {
    m_thread.detach();
    return false;
  }
  m_thread.join();
  return true;
}

std::uint64_t LogWriter::dropped() const {
  return m_shared->queue.dropped() + m_shared->failed.load(std::memory_order_relaxed);
}

bool LogWriter::on_writer_thread() const {
  return std::this_thread::get_id() == m_id;
}

} // namespace homectl::log
