#pragma once

#include "homectl/sources/fetcher.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

// The last fetch outcomes of one source, for /v1/sources/{name}/history.
namespace homectl::sources {

struct HistoryEntry {
  std::chrono::system_clock::time_point at; // when the refresh started
  double duration_ms = 0;
  int status = 0; // upstream HTTP status, 0 when none
  FetchOutcome outcome = FetchOutcome::error;
  std::string error; // reason when not ok
};

// A ring of the most recent `capacity` outcomes, oldest first. Not thread-safe.
class History {
public:
  static constexpr std::size_t k_capacity = 60;

  explicit History(std::size_t capacity = k_capacity) : m_capacity(capacity) {}
  void push(HistoryEntry entry);
  std::vector<HistoryEntry> entries() const { return {m_entries.begin(), m_entries.end()}; }
  std::size_t size() const { return m_entries.size(); }

private:
  std::size_t m_capacity;
  std::deque<HistoryEntry> m_entries;
};

} // namespace homectl::sources
