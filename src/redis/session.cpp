#include "session.hpp"

#include "homectl/log/logger.hpp"
#include "homectl/redis/client.hpp"
#include "homectl/util/strings.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>

namespace homectl::redis::detail {

namespace asio = boost::asio;

Session::Session(asio::any_io_executor executor, Endpoint endpoint, ClientOptions options,
                 Role role)
    : m_executor(std::move(executor)), m_endpoint(std::move(endpoint)),
      m_label(m_endpoint.describe()), m_options(std::move(options)), m_role(role),
      m_backoff(m_options.backoff_base, m_options.backoff_cap, m_options.random),
      m_resolver(m_executor), m_wake(m_executor), m_deadline(m_executor) {}

Session::~Session() {
  m_closed = true;
  m_context.reset();
  fail_all_pending("redis client is closed");
}

void Session::start() {
  asio::dispatch(m_executor, [self = shared_from_this()] {
    if (self->m_started || self->m_closed) {
      return;
    }
    self->m_started = true;
    asio::co_spawn(
        self->m_executor, self->run(), [label = self->m_label](const std::exception_ptr& e) {
          if (!e) {
            return;
          }
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            log::error("redis connection loop failed", {{"redis", label}, {"error", ex.what()}});
          }
        });
  });
}

void Session::close() {
  if (m_closed) {
    return;
  }
  m_closed = true;
  m_on_message = nullptr;
  m_resolver.cancel();
  m_deadline.cancel();
  drop_connection("redis client is closed");
  m_up = false;
}

ClientStats Session::stats() const {
  ClientStats s;
  s.up = m_up.load();
  s.connects = m_connects.load();
  s.reconnects = m_reconnects.load();
  if (auto us = m_ping_us.load(); us >= 0) {
    s.last_ping_latency = std::chrono::microseconds(us);
  }
  s.commands_ok = m_ok.load();
  s.commands_error = m_error.load();
  s.commands_timeout = m_timeout.load();
  s.commands_dropped = m_dropped.load();
  s.messages = m_messages.load();
  std::lock_guard lock(m_error_mutex);
  s.last_error = m_last_error;
  return s;
}

asio::awaitable<Result<Reply>> Session::call(std::vector<std::string> args,
                                             std::optional<Duration> timeout, Sender sender) {
  auto self = shared_from_this();
  auto initiate = [self, timeout, sender](auto handler, std::vector<std::string> argv) {
    // The completion always goes through the caller's executor (never inline
    // from inside hiredis), so callers may do anything when they resume.
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    CompletionFn done = [shared](Result<Reply> result) {
      auto executor = asio::get_associated_executor(*shared);
      asio::post(executor,
                 [shared, result = std::move(result)]() mutable { (*shared)(std::move(result)); });
    };
    asio::dispatch(self->m_executor, [self, argv = std::move(argv), timeout, sender,
                                      done = std::move(done)]() mutable {
      self->submit(std::move(argv), timeout, sender, std::move(done));
    });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Result<Reply>)>(
      std::move(initiate), asio::use_awaitable, std::move(args));
}

void Session::submit(std::vector<std::string> args, std::optional<Duration> timeout, Sender sender,
                     CompletionFn done) {
  std::string name = args.empty() ? std::string("(empty)") : util::to_upper(args.front());
  auto fail = [&](const std::string& message) {
    if (sender == Sender::client) {
      ++m_dropped;
    }
    done(make_error("redis " + name + ": " + message));
  };
  if (args.empty()) {
    return fail("empty command");
  }
  if (m_closed) {
    return fail("the client is closed");
  }
  if ((sender == Sender::client && !m_up) || !m_context || !m_context->alive()) {
    return fail(not_connected_message());
  }
  if (m_pending.size() >= m_options.max_in_flight) {
    return fail("too many commands in flight (limit " + std::to_string(m_options.max_in_flight) +
                ")");
  }
  auto tag = m_next_tag++;
  if (!m_context->send(tag, args)) {
    return fail("the connection is closing");
  }
  auto deadline = timeout.value_or(m_options.command_timeout);
  auto timer = std::make_unique<asio::steady_timer>(m_executor, deadline);
  timer->async_wait([weak = weak_from_this(), tag](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    if (auto self = weak.lock()) {
      self->on_timeout(tag);
    }
  });
  m_pending.emplace(tag,
                    Pending{std::move(done), std::move(name), deadline, sender, std::move(timer)});
}

void Session::subscribe(std::vector<std::string> channels) {
  asio::dispatch(m_executor, [self = shared_from_this(), channels = std::move(channels)] {
    std::vector<std::string> fresh;
    for (const auto& channel : channels) {
      if (self->m_channels.insert(channel).second) {
        fresh.push_back(channel);
      }
    }
    // Otherwise the handshake subscribes to the whole set.
    if (!fresh.empty() && self->m_can_subscribe && self->m_context && self->m_context->alive()) {
      self->send_subscribe(fresh);
    }
  });
}

void Session::send_subscribe(const std::vector<std::string>& channels) {
  std::vector<std::string> args{"SUBSCRIBE"};
  args.insert(args.end(), channels.begin(), channels.end());
  if (!m_context->send(k_pubsub_tag, args)) {
    drop_connection("SUBSCRIBE refused: the connection is closing");
  }
}

AsyncContext::Events Session::events() {
  // hiredis calls these synchronously; `this` outlives the context it owns.
  AsyncContext::Events events;
  events.connected = [this](std::string_view error) {
    if (!error.empty()) {
      on_lost(error);
    }
  };
  events.disconnected = [this](std::string_view error) { on_lost(error); };
  events.reply = [this](std::uint64_t tag, const redisReply* reply, std::string_view error) {
    on_reply(tag, reply, error);
  };
  return events;
}

void Session::on_lost(std::string_view reason) {
  if (!m_lost) {
    m_lost = true;
    m_lost_reason = std::string(reason);
  }
  m_up = false;
  wake();
}

void Session::on_reply(std::uint64_t tag, const redisReply* reply, std::string_view error) {
  if (tag == k_pubsub_tag) {
    if (reply != nullptr) {
      on_pubsub(to_reply(*reply));
    }
    return;
  }
  auto it = m_pending.find(tag);
  if (it == m_pending.end()) {
    return; // already failed by its deadline
  }
  Pending pending = std::move(it->second);
  m_pending.erase(it);
  if (reply == nullptr) {
    if (pending.sender == Sender::client) {
      ++m_dropped;
    }
    pending.done(
        make_error("redis " + pending.name + ": connection lost (" + std::string(error) + ")"));
    return;
  }
  Reply value = to_reply(*reply);
  if (pending.sender == Sender::client) {
    ++(value.is_error() ? m_error : m_ok);
  }
  pending.done(std::move(value));
}

void Session::on_pubsub(const Reply& reply) {
  const auto& parts = reply.elements();
  if (reply.kind() != Reply::Kind::array || parts.size() < 3) {
    return;
  }
  const auto& kind = parts[0].text();
  if (kind == "subscribe") {
    m_confirmed.insert(parts[1].text());
    wake();
  } else if (kind == "message") {
    asio::post(m_executor,
               [weak = weak_from_this(), channel = parts[1].text(), payload = parts[2].text()] {
                 auto self = weak.lock();
                 if (!self || self->m_closed || !self->m_on_message) {
                   return;
                 }
                 ++self->m_messages;
                 self->m_on_message(channel, payload);
               });
  }
}

void Session::on_timeout(std::uint64_t tag) {
  auto it = m_pending.find(tag);
  if (it == m_pending.end()) {
    return;
  }
  Pending pending = std::move(it->second);
  m_pending.erase(it);
  std::string what = pending.name + " timed out after " + ms_text(pending.timeout);
  if (pending.sender == Sender::client) {
    ++m_timeout;
    log::warn(
        "redis command timed out; resetting the connection",
        {{"redis", m_label}, {"command", pending.name}, {"timeout_ms", pending.timeout.count()}});
  }
  pending.done(make_error("redis " + what));
  // hiredis has no way to abandon one reply: the only remedy is a new connection.
  drop_connection(what);
}

void Session::drop_connection(const std::string& reason) {
  if (m_context) {
    auto context = std::move(m_context);
    context.reset(); // frees the hiredis context; its callbacks are muted
  }
  fail_all_pending("connection lost (" + reason + ")");
  m_can_subscribe = false;
  on_lost(reason);
}

void Session::fail_all_pending(const std::string& reason) {
  auto pending = std::move(m_pending);
  m_pending.clear();
  for (auto& [tag, p] : pending) {
    if (p.sender == Sender::client) {
      ++m_dropped;
    }
    p.done(make_error("redis " + p.name + ": " + reason));
  }
}

void Session::wake() {
  m_wake.cancel();
}

asio::awaitable<void> Session::sleep(Clock::duration duration) {
  m_wake.expires_after(duration);
  co_await m_wake.async_wait(asio::as_tuple(asio::use_awaitable));
}

std::string Session::not_connected_message() const {
  std::lock_guard lock(m_error_mutex);
  return m_last_error.empty() ? std::string("not connected")
                              : "not connected (last error: " + m_last_error + ")";
}

} // namespace homectl::redis::detail
