#pragma once

#include "homectl/cache/entry.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

// The in-memory cache: one slot per source, total bytes bounded with
// least-recently-used eviction.
//
// Threading: a Slot is read from any thread without a lock (an atomic
// shared_ptr to an immutable Entry, plus an atomic use stamp), so the cached
// GET never waits. Every write (put, attach, detach, eviction) goes through
// the Store, which is owned by one strand and is not thread-safe.
namespace homectl::cache {

class Store;

// The cached value of one source.
class Slot {
public:
  explicit Slot(std::string name) : m_name(std::move(name)) {}

  const std::string& name() const { return m_name; }
  // The current entry, or null; does not count as a use.
  std::shared_ptr<const Entry> peek() const { return m_entry.load(std::memory_order_acquire); }

private:
  friend class Store;
  std::string m_name;
  std::atomic<std::shared_ptr<const Entry>> m_entry;
  std::atomic<std::uint64_t> m_last_used{0};
  bool m_attached = false; // owner strand only
};

class Store {
public:
  explicit Store(std::size_t max_bytes) : m_max_bytes(max_bytes) {}

  // The entry of `slot` (null when none), marked as just used. Any thread.
  std::shared_ptr<const Entry> use(Slot& slot);

  // Makes `slot` part of the cache (its bytes count from now on).
  void attach(const std::shared_ptr<Slot>& slot);
  // Removes `slot` and its entry from the cache (source removed or changed).
  void detach(const std::shared_ptr<Slot>& slot);

  // Stores `entry` in `slot`, replacing the old one, then evicts the least
  // recently used entries until the total fits. Returns the names of the
  // evicted slots; `slot` itself is among them when its entry alone is larger
  // than the limit. A detached slot is left untouched.
  std::vector<std::string> put(const std::shared_ptr<Slot>& slot,
                               std::shared_ptr<const Entry> entry);

  // Changes the limit (on reload) and evicts down to it.
  std::vector<std::string> set_max_bytes(std::size_t max_bytes);

  std::size_t bytes() const { return m_bytes; }
  std::size_t entries() const { return m_entries; }
  std::size_t max_bytes() const { return m_max_bytes; }

private:
  std::vector<std::string> evict(const Slot* protect);
  void clear(Slot& slot);

  std::size_t m_max_bytes;
  std::size_t m_bytes = 0;
  std::size_t m_entries = 0;
  std::atomic<std::uint64_t> m_clock{0};
  std::vector<std::shared_ptr<Slot>> m_slots;
};

} // namespace homectl::cache
