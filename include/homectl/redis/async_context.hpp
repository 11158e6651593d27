#pragma once

#include "homectl/redis/hiredis_reply.hpp"
#include "homectl/redis/reply.hpp"
#include "homectl/util/result.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisAsyncContext;
struct redisReply;

namespace homectl::redis {

// One hiredis `redisAsyncContext` driven by an Asio executor, owned RAII.
// The adapter waits on the socket with posix::stream_descriptor::async_wait and
// calls redisAsyncHandleRead/Write; hiredis closes the descriptor itself.
//
// The events are called synchronously from inside hiredis (on the executor):
// they may record state and post work, but must never destroy this object.
// Destroying it frees the context (no event fires from the destructor); when
// hiredis has already freed the context after an error, it does nothing.
class AsyncContext {
public:
  struct Events {
    // The TCP/unix connect finished; `error` is empty on success.
    std::function<void(std::string_view error)> connected;
    // An established connection ended (server gone, protocol error, ...).
    std::function<void(std::string_view error)> disconnected;
    // A reply for the command sent with `tag`; `reply` is null when the
    // connection went away first (then `error` says why).
    std::function<void(std::uint64_t tag, const redisReply* reply, std::string_view error)> reply;
  };

  // Starts a non-blocking connect to a numeric IP address (never a host name:
  // hiredis would resolve it with blocking getaddrinfo).
  static Result<std::unique_ptr<AsyncContext>>
  connect_tcp(const boost::asio::any_io_executor& executor, const std::string& ip,
              std::uint16_t port, Events events);

  // Starts a connect to a unix socket.
  static Result<std::unique_ptr<AsyncContext>>
  connect_unix(const boost::asio::any_io_executor& executor, const std::string& path,
               Events events);

  ~AsyncContext();
  AsyncContext(const AsyncContext&) = delete;
  AsyncContext& operator=(const AsyncContext&) = delete;

  // Queues a binary-safe command; its reply arrives through Events::reply with
  // `tag`. Returns false when hiredis refuses it (context closing or gone).
  bool send(std::uint64_t tag, const std::vector<std::string>& args);

  // Drops the connection as a protocol error once a reply still being read
  // has buffered more than `bytes` (0: no limit). hiredis itself reads a
  // bulk string of any announced length into memory.
  void limit_reply_size(std::size_t bytes);

  // True until hiredis or the destructor freed the context.
  bool alive() const;
  // True once the connect completed.
  bool connected() const { return m_connected; }

private:
  struct Adapter;
  AsyncContext(std::shared_ptr<Adapter> adapter, Events events);
  // Why the connection failed, phrased for people.
  std::string describe_error(const redisAsyncContext* ac) const;
  static Result<std::unique_ptr<AsyncContext>> attach(const boost::asio::any_io_executor& executor,
                                                      redisAsyncContext* ac, Events events);
  static void on_connect(const redisAsyncContext* ac, int status);
  static void on_disconnect(const redisAsyncContext* ac, int status);
  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);

  std::shared_ptr<Adapter> m_adapter;
  Events m_events;
  bool m_muted = false; // set by the destructor: hiredis' last callbacks go nowhere
  bool m_connected = false;
};

} // namespace homectl::redis
