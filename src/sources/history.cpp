#include "homectl/sources/history.hpp"

namespace homectl::sources {

void History::push(HistoryEntry entry) {
  m_entries.push_back(std::move(entry));
  while (m_entries.size() > m_capacity) {
    m_entries.pop_front();
  }
}

} // namespace homectl::sources
