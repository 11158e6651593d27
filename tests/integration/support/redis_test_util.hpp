#pragma once

// Helpers for tests that drive redis::Client/Subscriber on an io_context.

#include "homectl/redis/endpoint.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <string>

#include <gtest/gtest.h>

namespace homectl::test {

// Runs the coroutine `body` on `io` until it finishes, failing the test if it
// takes longer than `limit` or throws. Background work (reconnect loops) may
// remain; close clients inside `body` or before the io_context dies.
inline void
run_test_coroutine(boost::asio::io_context& io, std::function<boost::asio::awaitable<void>()> body,
                   std::chrono::steady_clock::duration limit = std::chrono::seconds(30)) {
  bool done = false;
  std::exception_ptr error;
  boost::asio::co_spawn(io, body(), [&](std::exception_ptr e) {
    done = true;
    error = e;
  });
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(done) << "test coroutine did not finish in time";
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      FAIL() << "test coroutine threw: " << e.what();
    }
  }
}

// Waits on the current executor until `condition` holds or `limit` passes;
// returns the final value of `condition`.
inline boost::asio::awaitable<bool> eventually(std::function<bool()> condition,
                                               std::chrono::steady_clock::duration limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (!condition() && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  co_return condition();
}

// The error message of a failed result, "" when it succeeded.
template <typename R>
std::string error_of(const R& result) {
  return result.ok() ? std::string() : result.error().message;
}

// The endpoint a test server's URL names (a test failure when it does not parse).
inline redis::Endpoint endpoint_of(const std::string& url) {
  auto parsed = redis::parse_url(url);
  EXPECT_TRUE(parsed.ok()) << error_of(parsed);
  return parsed.ok() ? *parsed : redis::Endpoint{};
}

// Lets `duration` pass on the current executor (for "nothing happens" checks).
inline boost::asio::awaitable<void> pause(std::chrono::steady_clock::duration duration) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, duration);
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

} // namespace homectl::test
