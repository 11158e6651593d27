#include "homectl/log/record_queue.hpp"

#include <algorithm>
#include <utility>

namespace homectl::log {

RecordQueue::RecordQueue(QueueLimits limits) : m_limits(limits) {}

bool RecordQueue::push(std::string line) {
  std::lock_guard lock(m_mutex);
  if (m_closed || m_records.size() >= m_limits.max_records ||
      line.size() > m_limits.max_bytes - std::min(m_bytes, m_limits.max_bytes)) {
    ++m_dropped;
    ++m_unreported;
    // An idle consumer learns of the drop at once (a single record larger
    // than the byte limit); a busy one finds it with its next batch.
    if (m_consumer_waiting && !m_closed) {
      m_ready.notify_one();
    }
    return false;
  }
  m_bytes += line.size();
  m_records.push_back({std::move(line), std::exchange(m_unreported, 0)});
  // Waking the consumer costs a system call: only when it is asleep.
  if (m_consumer_waiting) {
    m_ready.notify_one();
  }
  return true;
}

void RecordQueue::take(RecordBatch& batch) {
  batch.records.clear();
  std::unique_lock lock(m_mutex);
  m_consumer_waiting = true;
  m_ready.wait(lock, [this] { return !m_records.empty() || m_unreported > 0 || m_closed; });
  m_consumer_waiting = false;
  batch.records.swap(m_records);
  m_bytes = 0;
  batch.dropped_after = std::exchange(m_unreported, 0);
  batch.closed = m_closed;
  m_busy = true;
  m_last_taken = m_closed;
}

void RecordQueue::written() {
  {
    std::lock_guard lock(m_mutex);
    m_busy = false;
    m_finished = m_last_taken;
  }
  m_drained.notify_all();
}

bool RecordQueue::wait_written(std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  return m_drained.wait_for(lock, timeout, [this] {
    return m_records.empty() && m_unreported == 0 && !m_busy && (!m_closed || m_finished);
  });
}

void RecordQueue::close() {
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
  }
  m_ready.notify_all();
}

std::uint64_t RecordQueue::dropped() const {
  std::lock_guard lock(m_mutex);
  return m_dropped;
}

} // namespace homectl::log
