#pragma once

#include "homectl/redis/endpoint.hpp"
#include "homectl/redis/options.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace homectl::redis {

namespace detail {
class Session;
}

// One Redis SUBSCRIBE connection on an Asio executor (a strand when the
// io_context runs on several threads): AUTH/SELECT from the URL,
// subscribes to its channels, re-subscribes after every reconnect, and hands
// each message to the handler on the executor (never from inside hiredis).
// Messages published while it is disconnected are lost (Redis pub/sub).
//
// close() and the destructor must run on the executor or after its io_context
// stopped; after them the handler is never called again.
class Subscriber {
public:
  using MessageHandler =
      std::function<void(const std::string& channel, const std::string& payload)>;

  Subscriber(boost::asio::any_io_executor executor, Endpoint endpoint, MessageHandler on_message,
             ClientOptions options = {});
  ~Subscriber();
  Subscriber(Subscriber&&) noexcept;
  Subscriber& operator=(Subscriber&&) noexcept;

  // Adds channels; takes effect now when connected, else on connect. Thread-safe.
  void subscribe(std::vector<std::string> channels);
  // Starts connecting (and reconnecting when the connection is lost).
  void start();
  // Stops for good.
  void close();

  // True while connected and subscribed to every channel. Thread-safe.
  bool up() const;
  // Counters and last error (commands_* stay 0; messages counts deliveries).
  ClientStats stats() const;

private:
  std::shared_ptr<detail::Session> m_session;
};

} // namespace homectl::redis
