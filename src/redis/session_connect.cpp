#include "session.hpp"

#include "homectl/log/logger.hpp"
#include "homectl/redis/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

// The connection lifecycle of Session: resolve, connect, handshake, serve,
// back off and reconnect. Command plumbing lives in session.cpp.
namespace homectl::redis::detail {

namespace asio = boost::asio;
using namespace std::chrono_literals;

void Session::note_failure(const std::string& message, Duration retry_in) {
  {
    std::lock_guard lock(m_error_mutex);
    m_last_error = message;
  }
  log::Level level = message == m_logged_error ? log::Level::debug : log::Level::warn;
  m_logged_error = message;
  log::write(level, "redis unavailable; retrying",
             {{"redis", m_label},
              {"role", role_name()},
              {"error", message},
              {"attempt", m_backoff.attempt()},
              {"retry_in_ms", retry_in.count()}});
}

asio::awaitable<void> Session::run() {
  auto self = shared_from_this();
  bool first = true;
  while (!m_closed) {
    if (!first) {
      ++m_reconnects;
    }
    first = false;
    auto result = co_await establish();
    if (m_closed) {
      break;
    }
    std::string failure;
    if (result) {
      auto up_since = Clock::now();
      ++m_connects;
      m_up = true;
      m_logged_error.clear();
      log::info(m_connects == 1 ? "redis connected" : "redis reconnected",
                {{"redis", m_label}, {"role", role_name()}});
      co_await serve();
      m_up = false;
      if (m_closed) {
        break;
      }
      // Only a connection that lasted starts the backoff over: a server that
      // accepts and then drops us at once must not be hammered.
      if (Clock::now() - up_since >= m_options.backoff_cap) {
        m_backoff.reset();
      }
      failure = m_label + ": connection lost (" + m_lost_reason + ")";
    } else {
      failure = result.error().message;
    }
    drop_connection(failure);
    auto delay = m_backoff.next();
    note_failure(failure, delay);
    co_await sleep(delay);
  }
  m_up = false;
}

asio::awaitable<Result<void>> Session::establish() {
  const auto deadline = Clock::now() + m_options.connect_timeout;
  auto reset_attempt = [this] {
    m_lost = false;
    m_lost_reason.clear();
    m_confirmed.clear();
    m_can_subscribe = false;
  };
  reset_attempt();
  if (m_endpoint.kind == Endpoint::Kind::unix_socket) {
    auto context = AsyncContext::connect_unix(m_executor, m_endpoint.path, events());
    if (!context) {
      co_return make_error(m_label + ": cannot connect: " + context.error().message);
    }
    m_context = std::move(*context);
    m_context->limit_reply_size(m_options.max_reply_size);
    co_return co_await handshake(deadline);
  }

  std::vector<asio::ip::address> addresses;
  boost::system::error_code literal_error;
  auto literal = asio::ip::make_address(m_endpoint.host, literal_error);
  if (!literal_error) {
    addresses.push_back(literal);
  } else {
    auto resolved = co_await resolve(deadline);
    if (!resolved) {
      co_return resolved.error();
    }
    addresses = std::move(*resolved);
  }

  Result<void> last = make_error(m_label + ": no address to connect to");
  for (const auto& address : addresses) {
    if (m_closed) {
      break;
    }
    reset_attempt();
    // hiredis gets a numeric address: its own lookup would block the loop.
    auto context =
        AsyncContext::connect_tcp(m_executor, address.to_string(), m_endpoint.port, events());
    if (!context) {
      last = make_error(m_label + ": cannot connect to " + address.to_string() + ": " +
                        context.error().message);
      continue;
    }
    m_context = std::move(*context);
    m_context->limit_reply_size(m_options.max_reply_size);
    last = co_await handshake(deadline);
    if (last || Clock::now() >= deadline) {
      co_return last;
    }
    // The server answered but refused us: another address would not help.
    bool reached = m_context && m_context->connected();
    drop_connection(last.error().message);
    if (reached) {
      co_return last;
    }
  }
  co_return last;
}

asio::awaitable<Result<std::vector<asio::ip::address>>>
Session::resolve(Clock::time_point deadline) {
  m_deadline.expires_at(deadline);
  m_deadline.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (auto self = weak.lock(); self && !ec) {
      self->m_resolver.cancel();
    }
  });
  auto [ec, results] = co_await m_resolver.async_resolve(
      m_endpoint.host, std::to_string(m_endpoint.port), asio::as_tuple(asio::use_awaitable));
  bool timed_out = Clock::now() >= deadline;
  m_deadline.cancel();
  if (timed_out) {
    co_return make_error(m_label + ": resolving \"" + m_endpoint.host + "\" timed out after " +
                         ms_text(m_options.connect_timeout));
  }
  if (ec) {
    co_return make_error(m_label + ": cannot resolve \"" + m_endpoint.host + "\": " + ec.message());
  }
  std::vector<asio::ip::address> addresses;
  for (const auto& entry : results) {
    auto address = entry.endpoint().address();
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
      addresses.push_back(address);
    }
  }
  co_return addresses;
}

Error Session::connect_error(Clock::time_point deadline, std::string_view step) const {
  if (Clock::now() >= deadline) {
    return make_error(m_label + ": connect timed out after " + ms_text(m_options.connect_timeout) +
                      " (waiting for " + std::string(step) + ")");
  }
  std::string reason = m_lost_reason.empty() ? std::string("connection closed") : m_lost_reason;
  if (reason.starts_with("not a Redis server")) {
    return make_error(m_label + ": " + reason);
  }
  if (!m_context || !m_context->connected()) {
    return make_error(m_label + ": cannot connect: " + reason);
  }
  // hiredis' words for end of stream. Redis answers a handshake command, even
  // to refuse it; hanging up without a word is what an HTTP server or a
  // TLS-only port does with one.
  if (reason == "Server closed the connection") {
    return make_error(m_label + ": the server closed the connection without answering " +
                      std::string(step) + " (is it a Redis server?)");
  }
  return make_error(m_label + ": connection lost during " + std::string(step) + ": " + reason);
}

asio::awaitable<Result<void>> Session::log_in(Clock::time_point deadline) {
  const auto remaining = [deadline] {
    return std::max(Duration{1}, std::chrono::ceil<Duration>(deadline - Clock::now()));
  };
  // hiredis queues these before the TCP connect completes: nothing waits idle.
  if (!m_endpoint.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!m_endpoint.user.empty()) {
      auth.push_back(m_endpoint.user);
    }
    auth.push_back(m_endpoint.password);
    auto reply = co_await call(std::move(auth), remaining(), Sender::session);
    if (!reply) {
      co_return connect_error(deadline, "AUTH");
    }
    if (reply->is_error()) {
      co_return make_error(m_label + ": authentication failed: " + reply->text());
    }
  }
  if (m_endpoint.db != 0) {
    auto reply =
        co_await call(argv("SELECT", std::to_string(m_endpoint.db)), remaining(), Sender::session);
    if (!reply) {
      co_return connect_error(deadline, "SELECT");
    }
    if (reply->is_error()) {
      co_return make_error(m_label + ": cannot select database " + std::to_string(m_endpoint.db) +
                           ": " + reply->text());
    }
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> Session::confirm_subscriptions(Clock::time_point deadline) {
  m_can_subscribe = true;
  if (!m_channels.empty()) {
    send_subscribe({m_channels.begin(), m_channels.end()});
  }
  auto all_confirmed = [this] {
    return std::includes(m_confirmed.begin(), m_confirmed.end(), m_channels.begin(),
                         m_channels.end());
  };
  while (!m_closed && !m_lost && !all_confirmed()) {
    if (Clock::now() >= deadline) {
      co_return connect_error(deadline, "SUBSCRIBE");
    }
    co_await sleep(deadline - Clock::now());
  }
  if (m_lost || m_closed) {
    co_return connect_error(deadline, "SUBSCRIBE");
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> Session::handshake(Clock::time_point deadline) {
  if (auto logged_in = co_await log_in(deadline); !logged_in) {
    co_return logged_in;
  }
  auto started = Clock::now();
  const auto remaining = std::max(Duration{1}, std::chrono::ceil<Duration>(deadline - started));
  auto pong = co_await call(argv("PING"), remaining, Sender::session);
  if (!pong) {
    co_return connect_error(deadline, "PING");
  }
  if (pong->is_error()) {
    if (pong->text().starts_with("NOAUTH")) {
      co_return make_error(m_label +
                           ": authentication required (the URL has no password): " + pong->text());
    }
    co_return make_error(m_label + ": PING failed: " + pong->text());
  }
  if (pong->kind() != Reply::Kind::status || pong->text() != "PONG") {
    co_return make_error(m_label + ": not a Redis server (PING answered " + pong->describe() + ")");
  }
  m_ping_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
  if (m_role == Role::subscriber) {
    co_return co_await confirm_subscriptions(deadline);
  }
  co_return Result<void>{};
}

asio::awaitable<void> Session::serve() {
  while (!m_closed && !m_lost) {
    if (m_role == Role::subscriber) {
      co_await sleep(24h); // woken when the connection is lost or closed
      continue;
    }
    co_await sleep(m_options.ping_interval);
    if (m_closed || m_lost) {
      break;
    }
    auto started = Clock::now();
    auto pong = co_await call(argv("PING"), std::nullopt, Sender::session);
    if (pong && pong->kind() == Reply::Kind::status) {
      m_ping_us =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
    } else if (pong) {
      log::warn("redis PING failed", {{"redis", m_label}, {"reply", pong->describe()}});
    }
    // A PING without reply resets the connection through its deadline.
  }
}

} // namespace homectl::redis::detail
