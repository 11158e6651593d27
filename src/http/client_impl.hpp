#pragma once

#include "homectl/http/client.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Internal to the http area: what the client's exchanges (client.cpp) and
// the opening of its connections (client_connect.cpp) share.
namespace homectl::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using SteadyClock = std::chrono::steady_clock;

namespace detail {

ClientResponse failure(ClientError error, std::string message);

// Everything one exchange needs; lives in the request() coroutine frame.
struct Exchange {
  const util::HttpUrl& url;
  const std::string& method;
  const Headers& headers;
  const std::string& body;
  const ClientOptions& options;
  SteadyClock::time_point deadline;
  // The time the deadline allows for this phase, for messages.
  std::chrono::milliseconds budget;
};

// A failed read, write or connect: timed out, cancelled, or the error itself.
ClientResponse io_failure(const Exchange& x, std::string_view phase, boost::system::error_code ec);

// An open connection to one origin, plain or TLS.
struct Connection {
  std::shared_ptr<ssl::context> context; // outlives `tls`
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<ssl::stream<beast::tcp_stream>> tls;
  SteadyClock::time_point idle_since{};

  beast::tcp_stream& lowest() { return plain ? *plain : tls->next_layer(); }
};

} // namespace detail

struct Client::Impl {
  asio::any_io_executor executor;
  std::mutex mutex;
  std::map<std::pair<bool, std::string>, std::shared_ptr<ssl::context>> contexts;
  std::map<std::string, std::vector<std::unique_ptr<detail::Connection>>> idle;

  Result<std::shared_ptr<ssl::context>> context_for(const ClientOptions& options);
  asio::awaitable<ClientResponse> exchange(const detail::Exchange& x);
  asio::awaitable<Result<std::unique_ptr<detail::Connection>, ClientResponse>>
  connect(const detail::Exchange& x);
  std::unique_ptr<detail::Connection> take_idle(const std::string& key);
  void put_idle(const std::string& key, std::unique_ptr<detail::Connection> connection);
};

} // namespace homectl::http
