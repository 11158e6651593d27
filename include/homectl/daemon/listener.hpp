#pragma once

#include "homectl/config/config.hpp"
#include "homectl/daemon/server_core.hpp"
#include "homectl/util/result.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>

namespace homectl::daemon {

// Opens, binds and listens on `address`. Runs once at start, before the loop
// serves anything (a host name is resolved here). The error names the address
// and the reason, e.g. "cannot listen on 127.0.0.1:8080: Address already in use".
Result<boost::asio::ip::tcp::acceptor> open_listener(const boost::asio::any_io_executor& executor,
                                                     const config::ListenAddress& address);

// "host:port", with brackets around an IPv6 literal.
std::string to_string(const config::ListenAddress& address);

// Accepts connections until the acceptor is closed. Each connection gets its
// own coroutine (and its own strand when server.threads > 1); above server.max_connections a
// connection gets a canned 503 and is closed at once, so excess never piles up.
boost::asio::awaitable<void> accept_connections(boost::asio::io_context& io,
                                                boost::asio::ip::tcp::acceptor& acceptor,
                                                std::shared_ptr<ServerCore> core);

} // namespace homectl::daemon
