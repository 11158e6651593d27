#include "homectl/sources/history.hpp"

namespace homectl::sources {

std::string_view outcome_label(FetchOutcome outcome) {
  switch (outcome) {
  case FetchOutcome::ok:
    return "ok";
  case FetchOutcome::error:
    return "error";
  case FetchOutcome::timeout:
    return "timeout";
  case FetchOutcome::breaker_open:
    return "breaker_open";
  case FetchOutcome::rate_limited:
    return "rate_limited";
  }
  return "error";
}

void History::push(HistoryEntry entry) {
  m_entries.push_back(std::move(entry));
  while (m_entries.size() > m_capacity) {
    m_entries.pop_front();
  }
}

} // namespace homectl::sources
