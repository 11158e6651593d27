#pragma once

#include "homectl/cache/entry.hpp"
#include "homectl/sources/event_bus.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

// The seam to a shared second-level store (Redis), so several instances and
// restarts share one upstream fetch per interval. Optional: the Service works
// without it (null). Every call is best effort: a store that is down answers
// "nothing" / "locked by nobody" quickly and never fails a read.
namespace homectl::sources {

// An entry as it travels between instances (no monotonic time: it is per process).
struct StoredEntry {
  std::string body;
  std::string content_type;
  std::string etag;
  int status = 200;
  std::chrono::system_clock::time_point fetched_wall;
  cache::Validators validators; // the upstream's, so any instance can revalidate
};

class SharedStore {
public:
  virtual ~SharedStore() = default;

  // The shared copy of a source's entry, if any. An entry whose body exceeds
  // `max_body` (the source's max_size) counts as none: the upstream is asked.
  virtual boost::asio::awaitable<std::optional<StoredEntry>> load(std::string source,
                                                                  std::size_t max_body) = 0;
  // Saves an entry; it expires after `ttl` (the source's servable lifetime).
  virtual boost::asio::awaitable<void> store(std::string source, StoredEntry entry,
                                             std::chrono::milliseconds ttl) = 0;
  // Takes the refresh lock for `ttl` (SET NX PX); true when this instance may fetch.
  // When the store is down this answers true, so sources keep refreshing.
  virtual boost::asio::awaitable<bool> try_lock(std::string source,
                                                std::chrono::milliseconds ttl) = 0;
  // Releases a lock taken by try_lock.
  virtual boost::asio::awaitable<void> unlock(std::string source) = 0;
  // Announces an event to other instances and subscribers (PUBLISH); must not block.
  virtual void publish(const Event& event) = 0;
};

} // namespace homectl::sources
