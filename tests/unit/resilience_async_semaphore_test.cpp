#include "homectl/resilience/async_semaphore.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace homectl::resilience {
namespace {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using namespace std::chrono_literals;

TEST(AsyncSemaphore, GrantsUpToTheLimitThenQueuesInOrder) {
  asio::io_context io;
  AsyncSemaphore sem(2);
  std::vector<std::string> events;
  std::vector<AsyncSemaphore::Permit> held;
  auto take = [&](std::string name) -> asio::awaitable<void> {
    auto permit = co_await sem.acquire();
    events.push_back(name);
    held.push_back(std::move(permit));
  };
  for (const char* name : {"a", "b", "c", "d"}) {
    asio::co_spawn(io, take(name), asio::detached);
  }
  io.poll(); // queued waiters keep the context busy, so run only what is ready
  io.restart();
  EXPECT_EQ(events, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(sem.in_use(), 2u);
  EXPECT_EQ(sem.waiting(), 2u);

  held.erase(held.begin()); // frees one slot: "c" gets it, not a newcomer
  EXPECT_FALSE(sem.try_acquire()) << "the slot went to the queued waiter";
  io.poll(); // queued waiters keep the context busy, so run only what is ready
  io.restart();
  EXPECT_EQ(events, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(sem.in_use(), 2u);

  held.clear();
  io.poll();
  EXPECT_EQ(events, (std::vector<std::string>{"a", "b", "c", "d"}));
  held.clear();
  EXPECT_EQ(sem.in_use(), 0u);
  EXPECT_EQ(sem.waiting(), 0u);
}

TEST(AsyncSemaphore, CancelledWaiterLeavesTheQueueAndTakesNoSlot) {
  asio::io_context io;
  AsyncSemaphore sem(1);
  auto first = sem.try_acquire();
  ASSERT_TRUE(first);
  bool timed_out = false;
  auto waiter = [&]() -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(10ms);
    auto r = co_await (sem.acquire() || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    timed_out = r.index() == 1;
  };
  asio::co_spawn(io, waiter(), asio::detached);
  io.run();
  EXPECT_TRUE(timed_out);
  EXPECT_EQ(sem.waiting(), 0u);
  first.release();
  EXPECT_EQ(sem.in_use(), 0u) << "the slot was not handed to the gone waiter";
  EXPECT_TRUE(sem.try_acquire());
}

TEST(AsyncSemaphore, PermitMovesAndReleasesOnce) {
  AsyncSemaphore sem(1);
  auto a = sem.try_acquire();
  AsyncSemaphore::Permit b = std::move(a);
  EXPECT_FALSE(a);
  EXPECT_TRUE(b);
  EXPECT_EQ(sem.in_use(), 1u);
  b.release();
  b.release();
  EXPECT_EQ(sem.in_use(), 0u);
}

} // namespace
} // namespace homectl::resilience
