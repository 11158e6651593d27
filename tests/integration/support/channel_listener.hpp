#pragma once

#include "homectl/redis/endpoint.hpp"
#include "homectl/redis/subscriber.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// Test support: the messages of one Redis channel, seen by a real SUBSCRIBE
// connection on its own thread (which, like the daemon's, reconnects by itself
// after a restart of redis-server).
namespace homectl::test {

class ChannelListener {
public:
  ChannelListener(const std::string& url, const std::string& channel)
      : m_subscriber(m_io.get_executor(), *redis::parse_url(url),
                     [this](const std::string&, const std::string& payload) {
                       std::lock_guard lock(m_mutex);
                       m_messages.push_back(payload);
                     }) {
    m_subscriber.subscribe({channel});
    m_subscriber.start();
    m_thread = std::thread([this] { m_io.run(); });
  }
  ~ChannelListener() {
    m_io.stop();
    m_thread.join();
  }
  ChannelListener(const ChannelListener&) = delete;
  ChannelListener& operator=(const ChannelListener&) = delete;

  // Connected and subscribed.
  bool up() const { return m_subscriber.up(); }
  // Every message so far.
  std::vector<std::string> messages() const { return since(0); }
  std::size_t count() const {
    std::lock_guard lock(m_mutex);
    return m_messages.size();
  }
  // The messages from index `first` on.
  std::vector<std::string> since(std::size_t first) const {
    std::lock_guard lock(m_mutex);
    return {m_messages.begin() + static_cast<std::ptrdiff_t>(std::min(first, m_messages.size())),
            m_messages.end()};
  }

private:
  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work{
      m_io.get_executor()};
  mutable std::mutex m_mutex;
  std::vector<std::string> m_messages;
  redis::Subscriber m_subscriber;
  std::thread m_thread;
};

} // namespace homectl::test
