#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

// One in-flight refresh that any number of requests wait for (single-flight).
// Each waiter has its own deadline; giving up does not stop the refresh.
//
// Not thread-safe: create, wait and complete on one strand, from coroutines
// whose executor is that strand.
namespace homectl::cache {

template <typename T>
class Flight {
public:
  explicit Flight(boost::asio::any_io_executor executor) : m_executor(std::move(executor)) {}
  Flight(const Flight&) = delete;
  Flight& operator=(const Flight&) = delete;

  // The result once complete, waiting at most `wait`; nullopt when the wait ran out first.
  boost::asio::awaitable<std::optional<T>> wait(std::chrono::steady_clock::duration wait) {
    if (m_result) {
      co_return m_result;
    }
    boost::asio::steady_timer timer(m_executor);
    timer.expires_after(wait);
    m_waiters.push_back(&timer);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    std::erase(m_waiters, &timer);
    co_return m_result;
  }

  // Stores the result and wakes every waiter.
  void complete(T result) {
    m_result = std::move(result);
    auto waiters = std::exchange(m_waiters, {});
    for (auto* timer : waiters) {
      timer->cancel();
    }
  }

  bool done() const { return m_result.has_value(); }
  std::size_t waiting() const { return m_waiters.size(); }

private:
  boost::asio::any_io_executor m_executor;
  std::optional<T> m_result;
  std::vector<boost::asio::steady_timer*> m_waiters;
};

} // namespace homectl::cache
