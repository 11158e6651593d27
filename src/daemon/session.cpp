#include "homectl/daemon/session.hpp"

#include "homectl/daemon/connection_deadline.hpp"
#include "homectl/daemon/request_reader.hpp"

#include "homectl/http/wire.hpp"
#include "homectl/log/logger.hpp"
#include "homectl/util/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <optional>

namespace homectl::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using Clock = std::chrono::steady_clock;

using util::k_tuple;
// How often, at most, a connection's deadline timer wakes while the deadline
// keeps moving on (see ConnectionDeadline).
constexpr auto k_deadline_tick = std::chrono::seconds(5);
// What linger() reads into.
constexpr std::size_t k_read_chunk = 1024;
// After an error answer, unread input is read and dropped for at most this
// long, and at most this much, before closing, so the kernel does not reset
// the connection (and destroy the answer) because of data the client was
// still sending; a client that keeps flooding is cut off.
constexpr auto k_linger = std::chrono::seconds(2);
constexpr std::size_t k_linger_bytes = std::size_t{8} << 20;

// Where a connection was when its client turned out to be too slow.
enum class Phase { idle, header, body, write };

// Counts a connection closed because its client was too slow, and logs it,
// paced by ServerState::slow_client_log. An idle keep-alive connection
// timing out is routine: counted, not logged.
void note_timeout(const ConnectionDeadline& deadline, ServerState& state, Phase phase,
                  const std::string& client) {
  if (!deadline.expired()) {
    return;
  }
  const char* name = "write";
  switch (phase) {
  case Phase::idle:
    state.idle_timeouts.fetch_add(1, std::memory_order_relaxed);
    return;
  case Phase::header:
    state.header_timeouts.fetch_add(1, std::memory_order_relaxed);
    name = "header";
    break;
  case Phase::body:
    state.body_timeouts.fetch_add(1, std::memory_order_relaxed);
    name = "body";
    break;
  case Phase::write:
    state.write_timeouts.fetch_add(1, std::memory_order_relaxed);
    break;
  }
  if (const auto left_out = state.slow_client_log.admit(Clock::now())) {
    log::warn("slow client disconnected",
              {{"phase", name}, {"client", client}, {"not_logged_since_last", *left_out}});
  }
}

// Writes the origin-form of `target` into `out` ("http://host/path?q"
// becomes "/path?q"), reusing its capacity; false when the target is neither
// form (e.g. "*" or garbage).
bool origin_form(std::string_view target, std::string& out) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.starts_with(scheme)) {
      target.remove_prefix(scheme.size());
      const auto slash = target.find_first_of("/?");
      out.assign("/");
      if (slash != std::string_view::npos) {
        target.remove_prefix(slash);
        out.append(target.front() == '?' ? target : target.substr(1));
      }
      return true;
    }
  }
  if (target.empty() || target.front() != '/') {
    return false;
  }
  out.assign(target);
  return true;
}

// Fills `request` (whose target is set) from the parsed message. A connection
// keeps one Request for all its requests, so its strings and header list
// reuse the capacity the previous request left.
void fill_request(http::Request& request, RequestReader::Message& message,
                  const std::string& client, const std::string& client_key) {
  request.method = http::method_from_string(message.method_string());
  const auto question = request.target.find('?');
  request.path.assign(request.target, 0, question);
  if (question == std::string::npos) {
    request.query.clear();
  } else {
    request.query.assign(request.target, question + 1);
  }
  std::size_t count = 0;
  for (const auto& field : message) {
    if (count == request.headers.size()) {
      request.headers.emplace_back();
    }
    auto& header = request.headers[count++];
    header.name.assign(field.name_string());
    header.value.assign(field.value());
  }
  request.headers.resize(count);
  request.body = std::move(message.body());
  request.client_address.assign(client);
  request.client_key.assign(client_key);
}

bool has_body(const http::Request& request, int status) {
  return request.method != http::Method::head && status != 204 && status != 304 && status >= 200;
}

// An EventStream over the connection: each event is one chunk, written with a deadline.
class SocketEventStream final : public http::EventStream {
public:
  SocketEventStream(asio::ip::tcp::socket& socket, ConnectionDeadline& deadline,
                    ConnectionDeadline::Clock::duration write_timeout, ServerState& state,
                    const std::string& client)
      : m_socket(socket), m_deadline(deadline), m_write_timeout(write_timeout), m_state(state),
        m_client(client) {}

  awaitable<bool> send(std::string chunk) override {
    if (!m_open) {
      co_return false;
    }
    if (chunk.empty()) {
      co_return true; // an empty chunk would end the body
    }
    const auto framed = http::format_chunk(chunk);
    auto [ec, n] = co_await write_with_progress_deadline(m_socket, m_deadline, m_write_timeout,
                                                         asio::buffer(framed));
    m_deadline.expires_never(); // the stream may stay quiet until its next event
    if (ec) {
      note_timeout(m_deadline, m_state, Phase::write, m_client);
      m_open = false;
    }
    m_bytes += n;
    co_return m_open;
  }
  bool closing() const override { return !m_open || m_state.draining(); }
  bool open() const { return m_open; }
  std::size_t bytes() const { return m_bytes; }

private:
  asio::ip::tcp::socket& m_socket;
  ConnectionDeadline& m_deadline;
  ConnectionDeadline::Clock::duration m_write_timeout;
  ServerState& m_state;
  const std::string& m_client;
  bool m_open = true;
  std::size_t m_bytes = 0;
};

class Session {
public:
  Session(asio::ip::tcp::socket socket, std::shared_ptr<ServerCore> core)
      : m_core(std::move(core)), m_socket(std::move(socket)),
        m_deadline(m_socket.get_executor(), m_socket, k_deadline_tick) {
    boost::system::error_code ec;
    const auto peer = m_socket.remote_endpoint(ec);
    m_client = ec ? std::string("unknown") : peer.address().to_string();
    m_client_key = ec ? m_client : http::limiter_key(peer.address());
  }

  awaitable<void> run();

private:
  awaitable<bool> write(const http::Response& response, const http::Request* request,
                        bool keep_alive, std::size_t& bytes);
  awaitable<bool> read_request(const config::ServerConfig& server, bool first,
                               std::optional<CountGuard>& busy);
  awaitable<bool> send_continue();
  awaitable<void> answer_error(const RequestReader::Failure& failure);
  awaitable<void> linger();
  awaitable<void> stream_events(const http::Response& response, const http::Request& request,
                                std::string_view endpoint, Clock::time_point started);

  std::shared_ptr<ServerCore> m_core;
  asio::ip::tcp::socket m_socket;
  ConnectionDeadline m_deadline;
  RequestReader m_reader;
  std::string m_client;
  std::string m_client_key; // derived once: the limiter needs it on every request
  // Reused from request to request (see fill_request).
  http::Request m_request;
  std::string m_head;
  ConnectionDeadline::Clock::duration m_write_timeout{}; // server.write_timeout of this request
};

awaitable<bool> Session::write(const http::Response& response, const http::Request* request,
                               bool keep_alive, std::size_t& bytes) {
  const bool body = request == nullptr || has_body(*request, response.status);
  const std::size_t length = response.body ? response.body->size() : 0;
  const bool no_length = response.status == 204 || response.status == 304 || response.status < 200;
  http::format_head_into(m_head, response, length, keep_alive,
                         no_length ? http::Framing::none : http::Framing::content_length);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(m_head), asio::const_buffer()};
  if (body && response.body) {
    buffers[1] = asio::buffer(*response.body);
  }
  auto [ec, n] =
      co_await write_with_progress_deadline(m_socket, m_deadline, m_write_timeout, buffers);
  note_timeout(m_deadline, m_core->state, Phase::write, m_client);
  bytes = n;
  co_return !ec;
}

awaitable<void> Session::answer_error(const RequestReader::Failure& failure) {
  const auto started = Clock::now();
  const auto response =
      http::Response::problem(failure.status, http::reason_phrase(failure.status), failure.detail);
  std::size_t bytes = 0;
  const bool written = co_await write(response, nullptr, false, bytes);
  m_core->dispatcher.record(k_unmatched, http::Method::other, failure.status, bytes,
                            Clock::now() - started);
  if (written) {
    co_await linger();
  }
}

// Reads the next request into m_reader: true when it is complete; false when
// the connection is to close (the client went away, was too slow, or sent
// something that was answered with an error). Between requests a keep-alive
// connection may stay quiet for idle_timeout; once a request starts, its
// header must be complete within header_timeout, and its body may take as
// long as a quiet connection may idle. `busy` counts the request as in
// flight from the end of its header.
awaitable<bool> Session::read_request(const config::ServerConfig& server, bool first,
                                      std::optional<CountGuard>& busy) {
  m_reader.start(server.max_header_size, server.max_body_size);
  Phase phase = first || m_reader.buffered() ? Phase::header : Phase::idle;
  m_deadline.expires_after(phase == Phase::idle ? server.idle_timeout : server.header_timeout);
  auto progress = m_reader.parse();
  while (progress == RequestReader::Progress::need_more) {
    if (phase != Phase::body && m_reader.header_done()) {
      phase = Phase::body;
      busy.emplace(m_core->state.in_flight);
      if (!co_await send_continue()) {
        co_return false;
      }
      m_deadline.expires_after(server.idle_timeout);
    }
    auto [ec, n] = co_await m_socket.async_read_some(m_reader.prepare(), k_tuple);
    if (ec) {
      note_timeout(m_deadline, m_core->state, phase, m_client);
      co_return false;
    }
    m_reader.commit(n);
    if (phase == Phase::idle) {
      phase = Phase::header;
      m_deadline.expires_after(server.header_timeout);
    }
    progress = m_reader.parse();
  }
  if (progress == RequestReader::Progress::failed) {
    co_await answer_error(m_reader.failure());
    co_return false;
  }
  if (!busy) {
    busy.emplace(m_core->state.in_flight);
  }
  co_return true;
}

// Answers "Expect: 100-continue" once the header is in and the body is not.
awaitable<bool> Session::send_continue() {
  if (!beast::iequals(m_reader.message()[bhttp::field::expect], "100-continue")) {
    co_return true;
  }
  static constexpr std::string_view k_continue = "HTTP/1.1 100 Continue\r\n\r\n";
  auto [ec, n] = co_await write_with_progress_deadline(m_socket, m_deadline, m_write_timeout,
                                                       asio::buffer(k_continue));
  if (ec) {
    note_timeout(m_deadline, m_core->state, Phase::write, m_client);
  }
  co_return !ec;
}

awaitable<void> Session::linger() {
  boost::system::error_code ignored;
  m_socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  m_deadline.expires_after(k_linger);
  std::array<char, k_read_chunk> scratch{};
  for (std::size_t dropped = 0; dropped < k_linger_bytes;) {
    auto [ec, n] = co_await m_socket.async_read_some(asio::buffer(scratch), k_tuple);
    if (ec) {
      co_return;
    }
    dropped += n;
  }
}

awaitable<void> Session::stream_events(const http::Response& response, const http::Request& request,
                                       std::string_view endpoint, Clock::time_point started) {
  CountGuard streaming(m_core->state.streams);
  auto head_response = response;
  head_response.set_header("Cache-Control", "no-cache");
  if (head_response.header("Content-Type").empty()) {
    head_response.set_header("Content-Type", "text/event-stream");
  }
  const auto head = http::format_head(head_response, 0, false, http::Framing::chunked);
  auto [ec, n] = co_await write_with_progress_deadline(m_socket, m_deadline, m_write_timeout,
                                                       asio::buffer(head));
  m_deadline.expires_never();
  note_timeout(m_deadline, m_core->state, Phase::write, m_client);
  std::size_t bytes = n;
  if (!ec && request.method != http::Method::head) {
    SocketEventStream events(m_socket, m_deadline, m_write_timeout, m_core->state, m_client);
    try {
      co_await response.stream(events);
    } catch (const std::exception& e) {
      log::error("event stream failed", {{"endpoint", endpoint}, {"error", e.what()}});
    }
    if (events.open()) {
      const auto last = http::format_chunk({});
      auto [last_ec, last_n] = co_await write_with_progress_deadline(
          m_socket, m_deadline, m_write_timeout, asio::buffer(last));
      note_timeout(m_deadline, m_core->state, Phase::write, m_client);
      bytes += last_n;
    }
    bytes += events.bytes();
  }
  m_core->dispatcher.record(endpoint, request.method, response.status, bytes,
                            Clock::now() - started);
}

awaitable<void> Session::run() {
  auto& state = m_core->state;
  bool first = true;
  while (true) {
    const auto config = state.config();
    const auto& server = config->server;
    m_write_timeout = server.write_timeout;
    std::optional<CountGuard> busy;
    if (!co_await read_request(server, first, busy)) {
      break;
    }
    first = false;
    const auto started = Clock::now();
    m_deadline.expires_never(); // dispatching may wait on an upstream

    auto& message = m_reader.message();
    if (!origin_form(message.target(), m_request.target)) {
      // A named value: g++ 12 destroys a temporary in a co_await expression twice.
      const RequestReader::Failure bad_target{
          400, "the request target is neither a path nor an absolute URL"};
      co_await answer_error(bad_target);
      break;
    }
    const bool client_keep_alive = message.keep_alive();
    fill_request(m_request, message, m_client, m_client_key);
    const http::Request& request = m_request;
    std::string_view endpoint;
    auto response = co_await m_core->dispatcher.dispatch(request, endpoint);

    if (response.stream) {
      co_await stream_events(response, request, endpoint, started);
      break;
    }
    // While draining, every answer closes its connection.
    const bool keep_alive = client_keep_alive && !state.draining();
    std::size_t bytes = 0;
    const bool written = co_await write(response, &request, keep_alive, bytes);
    m_core->dispatcher.record(endpoint, request.method, response.status, bytes,
                              Clock::now() - started);
    if (!written || !keep_alive) {
      break;
    }
    m_reader.shrink();
  }
  boost::system::error_code ignored;
  m_socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

} // namespace

awaitable<void> serve_connection(asio::ip::tcp::socket socket, std::shared_ptr<ServerCore> core) {
  Session session(std::move(socket), std::move(core));
  co_await session.run();
}

} // namespace homectl::daemon
