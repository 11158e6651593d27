#include "homectl/cache/store.hpp"

#include <algorithm>

namespace homectl::cache {

std::shared_ptr<const Entry> Store::use(Slot& slot) {
  slot.m_last_used.store(m_clock.fetch_add(1, std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
  return slot.m_entry.load(std::memory_order_acquire);
}

void Store::attach(const std::shared_ptr<Slot>& slot) {
  if (slot->m_attached) {
    return;
  }
  slot->m_attached = true;
  m_slots.push_back(slot);
  if (const auto entry = slot->peek()) {
    m_bytes += entry->size();
    ++m_entries;
  }
}

void Store::detach(const std::shared_ptr<Slot>& slot) {
  if (!slot->m_attached) {
    return;
  }
  clear(*slot);
  slot->m_attached = false;
  std::erase(m_slots, slot);
}

void Store::clear(Slot& slot) {
  if (const auto old = slot.m_entry.exchange(nullptr, std::memory_order_acq_rel)) {
    m_bytes -= old->size();
    --m_entries;
  }
}

std::vector<std::string> Store::put(const std::shared_ptr<Slot>& slot,
                                    std::shared_ptr<const Entry> entry) {
  if (!slot->m_attached) {
    return {};
  }
  clear(*slot);
  if (entry) {
    m_bytes += entry->size();
    ++m_entries;
    slot->m_entry.store(std::move(entry), std::memory_order_release);
    // A fresh value counts as a use, so it is not the first to go.
    slot->m_last_used.store(m_clock.fetch_add(1, std::memory_order_relaxed) + 1,
                            std::memory_order_relaxed);
  }
  auto evicted = evict(slot.get());
  if (m_bytes > m_max_bytes) {
    // Even alone the new entry does not fit.
    clear(*slot);
    evicted.push_back(slot->name());
  }
  return evicted;
}

std::vector<std::string> Store::set_max_bytes(std::size_t max_bytes) {
  m_max_bytes = max_bytes;
  return evict(nullptr);
}

std::vector<std::string> Store::evict(const Slot* protect) {
  std::vector<std::string> evicted;
  // Sources number in the tens, so a scan for the oldest use beats keeping an
  // intrusive list that every cached read would have to reorder under a lock.
  while (m_bytes > m_max_bytes) {
    Slot* oldest = nullptr;
    for (const auto& slot : m_slots) {
      if (slot.get() == protect || !slot->peek()) {
        continue;
      }
      if (!oldest || slot->m_last_used.load(std::memory_order_relaxed) <
                         oldest->m_last_used.load(std::memory_order_relaxed)) {
        oldest = slot.get();
      }
    }
    if (!oldest) {
      break;
    }
    clear(*oldest);
    evicted.push_back(oldest->name());
  }
  return evicted;
}

} // namespace homectl::cache
