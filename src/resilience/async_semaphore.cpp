#include "homectl/resilience/async_semaphore.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>

namespace homectl::resilience {

namespace asio = boost::asio;

AsyncSemaphore::Permit& AsyncSemaphore::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release();
    m_owner = other.m_owner;
    other.m_owner = nullptr;
  }
  return *this;
}

void AsyncSemaphore::Permit::release() {
  if (m_owner != nullptr) {
    m_owner->release_one();
    m_owner = nullptr;
  }
}

AsyncSemaphore::~AsyncSemaphore() {
  for (auto& waiter : m_waiters) {
    waiter->timer.cancel();
  }
}

AsyncSemaphore::Permit AsyncSemaphore::try_acquire() {
  if (m_in_use < m_limit && m_waiters.empty()) {
    ++m_in_use;
    return Permit(this);
  }
  return Permit();
}

asio::awaitable<AsyncSemaphore::Permit> AsyncSemaphore::acquire() {
  if (auto permit = try_acquire()) {
    co_return permit;
  }
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiter->timer.expires_at(asio::steady_timer::time_point::max());
  m_waiters.push_back(waiter);
  // release_one() hands its slot over by setting `granted` and cancelling the
  // timer; any other wake-up is a cancellation of this coroutine.
  // The co_await itself throws when this coroutine was cancelled before it
  // started waiting; the waiter must not stay queued in that case either.
  auto leave_queue = [this, &waiter] {
    auto it = std::find(m_waiters.begin(), m_waiters.end(), waiter);
    if (it != m_waiters.end()) {
      m_waiters.erase(it);
    }
  };
  try {
    auto [ec] = co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
  } catch (...) {
    if (waiter->granted) {
      release_one();
    } else {
      leave_queue();
    }
    throw;
  }
  if (waiter->granted) {
    co_return Permit(this);
  }
  leave_queue();
  throw boost::system::system_error(asio::error::operation_aborted);
}

void AsyncSemaphore::release_one() {
  if (!m_waiters.empty()) {
    // The slot passes straight to the oldest waiter; m_in_use stays the same.
    auto waiter = m_waiters.front();
    m_waiters.pop_front();
    waiter->granted = true;
    waiter->timer.cancel();
    return;
  }
  if (m_in_use > 0) {
    --m_in_use;
  }
}

} // namespace homectl::resilience
