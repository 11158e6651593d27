#pragma once

// Private to src/redis: the reconnecting connection shared by Client and Subscriber.

#include "homectl/redis/async_context.hpp"
#include "homectl/redis/backoff.hpp"
#include "homectl/redis/endpoint.hpp"
#include "homectl/redis/options.hpp"
#include "homectl/redis/reply.hpp"
#include "homectl/util/result.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace homectl::redis::detail {

using CompletionFn = std::function<void(Result<Reply>)>;

// "250ms": durations in messages.
inline std::string ms_text(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
}
using MessageHandler = std::function<void(const std::string& channel, const std::string& payload)>;

// One logical Redis connection: resolve, connect, AUTH/SELECT/PING, serve,
// notice the loss, back off, reconnect, forever until close(). All state
// except the counters is owned by the executor; close() and the destructor
// must run there (or once the io_context has stopped).
class Session : public std::enable_shared_from_this<Session> {
public:
  enum class Role { command, subscriber };
  // Subscription traffic (confirmations, messages) carries this tag; commands
  // get tags from 1 up.
  static constexpr std::uint64_t k_pubsub_tag = 0;
  using Clock = std::chrono::steady_clock;
  using Duration = std::chrono::milliseconds;

  Session(boost::asio::any_io_executor executor, Endpoint endpoint, ClientOptions options,
          Role role);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts the connect/reconnect loop (idempotent; thread-safe).
  void start();
  // Stops for good: fails pending commands, frees the context, no more callbacks.
  void close();

  // Who sends a command: a user of the client (it waits for the connection to
  // be up and counts in ClientStats), or the session itself (the handshake
  // and keep-alive PINGs, sent before it is up and never counted).
  enum class Sender { client, session };

  // Sends one command and completes with its reply or an error value; never hangs.
  // Thread-safe: hops onto the session's executor.
  boost::asio::awaitable<Result<Reply>> call(std::vector<std::string> args,
                                             std::optional<Duration> timeout, Sender sender);

  // Subscriber role: adds channels (sent now when connected, and after every reconnect).
  void subscribe(std::vector<std::string> channels);
  void set_message_handler(MessageHandler handler) { m_on_message = std::move(handler); }

  bool up() const { return m_up.load(); }
  ClientStats stats() const;
  const Endpoint& endpoint() const { return m_endpoint; }

private:
  struct Pending {
    CompletionFn done;
    std::string name;
    Duration timeout{};
    Sender sender = Sender::client;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  boost::asio::awaitable<void> run();
  boost::asio::awaitable<Result<void>> establish();
  boost::asio::awaitable<Result<std::vector<boost::asio::ip::address>>>
  resolve(Clock::time_point deadline);
  boost::asio::awaitable<Result<void>> handshake(Clock::time_point deadline);
  // The handshake's steps: AUTH and SELECT when the URL asks for them, and
  // for a subscriber the confirmation of every channel.
  boost::asio::awaitable<Result<void>> log_in(Clock::time_point deadline);
  boost::asio::awaitable<Result<void>> confirm_subscriptions(Clock::time_point deadline);
  boost::asio::awaitable<void> serve();
  boost::asio::awaitable<void> sleep(Clock::duration duration);
  void wake();

  void submit(std::vector<std::string> args, std::optional<Duration> timeout, Sender sender,
              CompletionFn done);
  void on_reply(std::uint64_t tag, const redisReply* reply, std::string_view error);
  void on_pubsub(const Reply& reply);
  void on_timeout(std::uint64_t tag);
  void on_lost(std::string_view reason);
  void drop_connection(const std::string& reason);
  void fail_all_pending(const std::string& reason);
  void send_subscribe(const std::vector<std::string>& channels);
  AsyncContext::Events events();
  Error connect_error(Clock::time_point deadline, std::string_view step) const;
  void note_failure(const std::string& message, Duration retry_in);
  std::string not_connected_message() const;
  const char* role_name() const { return m_role == Role::command ? "command" : "subscriber"; }

  boost::asio::any_io_executor m_executor;
  Endpoint m_endpoint;
  std::string m_label; // the redacted URL
  ClientOptions m_options;
  Role m_role;
  Backoff m_backoff;
  boost::asio::ip::tcp::resolver m_resolver;
  boost::asio::steady_timer m_wake;     // the run loop sleeps here; wake() cancels it
  boost::asio::steady_timer m_deadline; // bounds name resolution
  std::unique_ptr<AsyncContext> m_context;
  std::map<std::uint64_t, Pending> m_pending;
  std::uint64_t m_next_tag = 1;
  bool m_started = false;
  bool m_closed = false;
  bool m_lost = false; // the current context failed or was dropped
  std::string m_lost_reason;
  bool m_can_subscribe = false; // handshake reached the SUBSCRIBE step
  std::set<std::string> m_channels;
  std::set<std::string> m_confirmed;
  MessageHandler m_on_message;
  std::string m_logged_error; // repeated identical failures log at debug

  std::atomic<bool> m_up{false};
  std::atomic<std::uint64_t> m_connects{0};
  std::atomic<std::uint64_t> m_reconnects{0};
  std::atomic<std::int64_t> m_ping_us{-1};
  std::atomic<std::uint64_t> m_ok{0};
  std::atomic<std::uint64_t> m_error{0};
  std::atomic<std::uint64_t> m_timeout{0};
  std::atomic<std::uint64_t> m_dropped{0};
  std::atomic<std::uint64_t> m_messages{0};
  mutable std::mutex m_error_mutex;
  std::string m_last_error;
};

} // namespace homectl::redis::detail
