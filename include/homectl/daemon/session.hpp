#pragma once

#include "homectl/daemon/server_core.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace homectl::daemon {

// Serves one client connection until it closes: HTTP/1.1 keep-alive, the
// header/body/time limits of server.*, and Server-Sent Event streams. Runs on
// the socket's executor (a strand when several threads share the loop).
// The caller counts the connection in ServerState::connections.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              std::shared_ptr<ServerCore> core);

} // namespace homectl::daemon
