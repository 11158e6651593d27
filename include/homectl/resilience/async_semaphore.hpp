#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <list>
#include <memory>

// A counting semaphore for coroutines: `co_await sem.acquire()` waits without
// blocking the event loop and returns a Permit that gives the slot back when
// destroyed. Waiters are served first come, first served. A waiter cancelled
// while queued (e.g. it lost an `op || timer` race) leaves the queue and takes
// no slot. Not thread-safe: use one semaphore from one thread or strand.
namespace homectl::resilience {

class AsyncSemaphore {
public:
  // A held slot; releases it on destruction (or release()). Movable only.
  class Permit {
  public:
    Permit() = default;
    explicit Permit(AsyncSemaphore* owner) : m_owner(owner) {}
    Permit(Permit&& other) noexcept : m_owner(other.m_owner) { other.m_owner = nullptr; }
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { release(); }

    // Gives the slot back early; idempotent.
    void release();
    explicit operator bool() const { return m_owner != nullptr; }

  private:
    AsyncSemaphore* m_owner = nullptr;
  };

  explicit AsyncSemaphore(std::size_t limit) : m_limit(limit) {}
  AsyncSemaphore(const AsyncSemaphore&) = delete;
  AsyncSemaphore& operator=(const AsyncSemaphore&) = delete;
  ~AsyncSemaphore();

  // Waits for a slot. Throws boost::system::system_error(operation_aborted)
  // when the awaiting coroutine is cancelled before it gets one.
  boost::asio::awaitable<Permit> acquire();

  // Takes a slot only if one is free right now.
  Permit try_acquire();

  std::size_t limit() const { return m_limit; }
  std::size_t in_use() const { return m_in_use; }
  std::size_t waiting() const { return m_waiters.size(); }

private:
  struct Waiter {
    explicit Waiter(const boost::asio::any_io_executor& ex) : timer(ex) {}
    boost::asio::steady_timer timer;
    bool granted = false;
  };

  void release_one();

  std::size_t m_limit;
  std::size_t m_in_use = 0;
  std::list<std::shared_ptr<Waiter>> m_waiters;
};

} // namespace homectl::resilience
