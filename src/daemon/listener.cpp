#include "homectl/daemon/listener.hpp"

#include "homectl/daemon/session.hpp"
#include "homectl/http/wire.hpp"
#include "homectl/log/logger.hpp"
#include "homectl/util/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace homectl::daemon {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

using util::k_tuple;
// How long accepting pauses after a failed accept (e.g. out of descriptors).
constexpr auto k_accept_backoff = std::chrono::milliseconds(100);

const std::string& busy_answer() {
  static const std::string text = [] {
    const auto response = http::Response::problem(
        503, "Service Unavailable", "too many open connections (server.max_connections)");
    auto with_retry = response;
    with_retry.set_header("Retry-After", "1");
    return http::format_head(with_retry, response.body->size(), false) + *response.body;
  }();
  return text;
}

// Answers 503 without waiting: one non-blocking write (a fresh socket's send
// buffer takes it whole), then close.
void refuse(tcp::socket socket) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(asio::buffer(busy_answer()), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

} // namespace

std::string to_string(const config::ListenAddress& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

Result<tcp::acceptor> open_listener(const asio::any_io_executor& executor,
                                    const config::ListenAddress& address) {
  const auto where = "cannot listen on " + to_string(address) + ": ";
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  const auto literal = asio::ip::make_address(address.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(literal, address.port);
  } else {
    tcp::resolver resolver(executor);
    const auto results =
        resolver.resolve(address.host, std::to_string(address.port), tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return make_error(where + "cannot resolve host '" + address.host +
                        "': " + (ec ? ec.message() : std::string("no address")));
    }
    endpoint = results.begin()->endpoint();
  }
  tcp::acceptor acceptor(executor);
  acceptor.open(endpoint.protocol(), ec);
  if (ec) {
    return make_error(where + ec.message());
  }
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) {
    return make_error(where + ec.message());
  }
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(where + ec.message());
  }
  return acceptor;
}

namespace {

// A run of failed accepts: logged once when it starts and once when it ends.
class AcceptFailures {
public:
  // Out of descriptors (EMFILE) or similar: the pending connection stays
  // queued in the kernel. The caller pauses instead of spinning on the same
  // error, and this says so once per run rather than once per attempt.
  void failed(ServerCore& core, const boost::system::error_code& ec) {
    core.state.accept_errors.fetch_add(1);
    if (m_count++ == 0) {
      m_since = std::chrono::steady_clock::now();
      log::error("cannot accept connections: pausing accepts until it works again",
                 {{"error", ec.message()},
                  {"open_connections", core.state.connections.load()},
                  {"retry_every_ms", k_accept_backoff.count()}});
    }
  }

  void accepted(const ServerCore& core) {
    if (m_count == 0) {
      return;
    }
    const auto paused = std::chrono::steady_clock::now() - m_since;
    log::info("accepting connections again",
              {{"failed_accepts", m_count},
               {"paused_ms", std::chrono::duration_cast<std::chrono::milliseconds>(paused).count()},
               {"open_connections", core.state.connections.load()}});
    m_count = 0;
  }

private:
  long long m_count = 0;
  std::chrono::steady_clock::time_point m_since;
};

// Serves an accepted connection on its own coroutine, counted while it lives.
void start_session(tcp::socket socket, const std::shared_ptr<ServerCore>& core) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto socket_executor = socket.get_executor();
  // Count the connection now, not when its coroutine first runs, so a burst of
  // accepts cannot overshoot max_connections.
  core->state.connections.fetch_add(1);
  core->state.accepted_connections.fetch_add(1);
  asio::co_spawn(socket_executor, serve_connection(std::move(socket), core),
                 [core](const std::exception_ptr& failure) {
                   core->state.connections.fetch_sub(1);
                   if (!failure) {
                     return;
                   }
                   try {
                     std::rethrow_exception(failure);
                   } catch (const std::exception& e) {
                     log::error("connection failed", {{"error", e.what()}});
                   } catch (...) {
                     log::error("connection failed", {{"error", "unknown"}});
                   }
                 });
}

} // namespace

asio::awaitable<void> accept_connections(asio::io_context& io, tcp::acceptor& acceptor,
                                         std::shared_ptr<ServerCore> core) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer backoff(executor);
  AcceptFailures failures;
  // With one event-loop thread nothing runs concurrently, so a connection
  // needs no strand (which would cost a lock and a queue hop per operation).
  // server.threads is fixed at start, so reading it once here is enough.
  const bool one_thread = core->state.config()->server.threads <= 1;
  while (acceptor.is_open()) {
    const auto connection_executor =
        one_thread ? asio::any_io_executor(io.get_executor()) : asio::make_strand(io);
    auto [ec, socket] = co_await acceptor.async_accept(connection_executor, k_tuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
      break;
    }
    if (ec) {
      failures.failed(*core, ec);
      backoff.expires_after(k_accept_backoff);
      co_await backoff.async_wait(k_tuple);
      continue;
    }
    failures.accepted(*core);
    const auto config = core->state.config();
    if (core->state.connections.load() >= config->server.max_connections) {
      core->state.refused_connections.fetch_add(1);
      refuse(std::move(socket));
      continue;
    }
    start_session(std::move(socket), core);
  }
}

} // namespace homectl::daemon
