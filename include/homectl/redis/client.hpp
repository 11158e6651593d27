#pragma once

#include "homectl/redis/endpoint.hpp"
#include "homectl/redis/options.hpp"
#include "homectl/redis/reply.hpp"
#include "homectl/util/result.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace homectl::redis {

namespace detail {
class Session;
}

// Builds a command's argv: command(argv("SET", key, value)). Use it inside
// coroutines, where g++ 12 rejects braced lists of strings ("array used as
// initializer").
template <typename... Args>
std::vector<std::string> argv(Args&&... args) {
  std::vector<std::string> out;
  out.reserve(sizeof...(args));
  (out.emplace_back(std::forward<Args>(args)), ...);
  return out;
}

// One Redis command connection on an Asio executor (an io_context's, or a
// strand when the io_context runs on several threads): connects in the background, AUTH/SELECT from
// the URL, reconnects with jittered backoff forever, PINGs for latency. Commands never hang: they
// fail fast while disconnected, on their deadline, or when the connection drops.
//
// command() may be awaited from any coroutine/thread. close() and the
// destructor must run on the client's executor or after its io_context stopped;
// after them no callback runs and pending commands complete with an error.
class Client {
public:
  Client(boost::asio::any_io_executor executor, Endpoint endpoint, ClientOptions options = {});
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // Starts connecting (and reconnecting when the connection is lost).
  void start();
  // Stops for good: pending commands fail with an error value.
  void close();

  // Sends one binary-safe command (argv form: {"SET", key, value}). A Redis
  // error reply is a Reply of kind error; an Error means no reply: not
  // connected, too many in flight, timed out (`timeout`, default
  // ClientOptions::command_timeout) or connection lost.
  boost::asio::awaitable<Result<Reply>>
  command(std::vector<std::string> args,
          std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // True while connected and past AUTH/SELECT/PING. Thread-safe.
  bool up() const;
  // Counters and last error for /health and metrics. Thread-safe.
  ClientStats stats() const;
  // The URL this client talks to (describe() for the redacted text).
  const Endpoint& endpoint() const;

private:
  std::shared_ptr<detail::Session> m_session;
};

} // namespace homectl::redis
