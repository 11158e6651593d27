#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

// In-process change events (source.updated, source.failed, breaker.changed).
// Subscribers are plain callbacks, so SSE streams, Redis PUBLISH or tests can
// listen alike. Callbacks run synchronously on the publishing strand and must
// not block: queue the event and return.
namespace homectl::sources {

struct Event {
  std::string type;   // "source.updated", "source.failed", "breaker.changed"
  std::string source; // source name
  std::string etag;   // the ETag header value (quotes included); empty when none
  std::string at;     // RFC 3339 UTC time
  std::string detail; // breaker.changed: the new state; source.failed: the outcome

  // {"v":1,"type","source","etag","at"} plus "state" (breaker.changed) or
  // "outcome" (source.failed); etag is null when there is none.
  std::string to_json() const;
};

class EventBus {
public:
  using Callback = std::function<void(const Event&)>;
  using Id = std::uint64_t;

  // Adds a subscriber; any thread.
  Id subscribe(Callback callback);
  // Removes a subscriber; any thread. After it returns the callback is not
  // started again (a call already running on another thread may finish).
  void unsubscribe(Id id);
  // Delivers `event` to every subscriber, in subscription order.
  void publish(const Event& event);
  std::size_t subscribers() const;

private:
  struct Subscriber {
    Id id;
    std::shared_ptr<Callback> callback;
  };
  mutable std::mutex m_mutex;
  Id m_next = 1;
  std::vector<Subscriber> m_subscribers;
};

} // namespace homectl::sources
