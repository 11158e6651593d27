#include "homectl/sources/event_bus.hpp"

#include <nlohmann/json.hpp>

namespace homectl::sources {

std::string Event::to_json() const {
  nlohmann::ordered_json doc = {{"v", 1}, {"type", type}, {"source", source}};
  doc["etag"] = etag.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(etag);
  doc["at"] = at;
  if (!detail.empty()) {
    doc[type == "breaker.changed" ? "state" : "outcome"] = detail;
  }
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

EventBus::Id EventBus::subscribe(Callback callback) {
  std::lock_guard lock(m_mutex);
  const Id id = m_next++;
  m_subscribers.push_back({id, std::make_shared<Callback>(std::move(callback))});
  return id;
}

void EventBus::unsubscribe(Id id) {
  std::lock_guard lock(m_mutex);
  std::erase_if(m_subscribers, [id](const Subscriber& s) { return s.id == id; });
}

void EventBus::publish(const Event& event) {
  std::vector<Subscriber> copy;
  {
    std::lock_guard lock(m_mutex);
    copy = m_subscribers;
  }
  // Called outside the lock so a callback may unsubscribe itself.
  for (const auto& subscriber : copy) {
    bool still_subscribed = false;
    {
      std::lock_guard lock(m_mutex);
      for (const auto& s : m_subscribers) {
        still_subscribed = still_subscribed || s.id == subscriber.id;
      }
    }
    if (still_subscribed) {
      (*subscriber.callback)(event);
    }
  }
}

std::size_t EventBus::subscribers() const {
  std::lock_guard lock(m_mutex);
  return m_subscribers.size();
}

} // namespace homectl::sources
