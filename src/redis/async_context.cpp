#include "homectl/redis/async_context.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <sys/socket.h>

#include <cstdint>
#include <cstdio>

namespace homectl::redis {

namespace asio = boost::asio;

namespace {

// hiredis 0.14 asserts (aborting the process) when a reply arrives that no
// command asked for outside pub/sub. A peer that is not Redis can do that, so
// such bytes are detected first and the context is dropped as a protocol error.
bool expects_no_reply(const redisAsyncContext* ac) {
  return (ac->c.flags & (REDIS_SUBSCRIBED | REDIS_MONITORING)) == 0 && ac->replies.head == nullptr;
}

// Bytes already read into hiredis' buffer that no pending command will consume.
bool unsolicited_bytes_buffered(const redisAsyncContext* ac) {
  return expects_no_reply(ac) && ac->c.reader != nullptr && ac->c.reader->len > ac->c.reader->pos;
}

// Bytes waiting on the socket while no reply is expected (an error reply is
// fine: hiredis reports it and disconnects, e.g. "max number of clients").
bool unsolicited_bytes_waiting(const redisAsyncContext* ac) {
  if ((ac->c.flags & REDIS_CONNECTED) == 0 || !expects_no_reply(ac)) {
    return false;
  }
  char first = 0;
  auto n = ::recv(ac->c.fd, &first, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 1 && first != '-';
}

// Bytes of a reply hiredis has buffered but not parsed yet (after a read, at
// most one incomplete reply).
std::size_t unparsed_bytes(const redisAsyncContext* ac) {
  const auto* reader = ac->c.reader;
  return reader != nullptr && reader->len > reader->pos ? reader->len - reader->pos : 0;
}

void mark_protocol_violation(redisAsyncContext* ac, const char* what = "unsolicited reply") {
  ac->c.err = REDIS_ERR_PROTOCOL;
  std::snprintf(ac->c.errstr, sizeof ac->c.errstr, "%s", what);
  ac->err = ac->c.err;
  ac->errstr = ac->c.errstr;
}

} // namespace

// The event-library side of the context: shared with the pending async_wait
// handlers so they can outlive the AsyncContext and find `ac == nullptr`.
struct AsyncContext::Adapter {
  explicit Adapter(const asio::any_io_executor& executor) : descriptor(executor) {}

  asio::posix::stream_descriptor descriptor;
  redisAsyncContext* ac = nullptr; // null once hiredis called cleanup
  bool want_read = false;
  bool want_write = false;
  bool read_waiting = false;
  bool write_waiting = false;
  int refused_array = 0;         // the length of an array reply over k_max_array_reply
  std::size_t max_reply = 0;     // the most unparsed bytes allowed (0: no limit)
  std::size_t refused_reply = 0; // max_reply, once a reply went past it

  static void start_wait(const std::shared_ptr<Adapter>& self, bool read) {
    if (!self) {
      return;
    }
    bool& waiting = read ? self->read_waiting : self->write_waiting;
    if (waiting || self->ac == nullptr) {
      return;
    }
    waiting = true;
    auto type = read ? asio::posix::stream_descriptor::wait_read
                     : asio::posix::stream_descriptor::wait_write;
    self->descriptor.async_wait(type, [self, read](const boost::system::error_code& ec) {
      (read ? self->read_waiting : self->write_waiting) = false;
      if (ec || self->ac == nullptr) {
        return;
      }
      // Only act on readiness hiredis still asks for; it re-arms through addRead/addWrite.
      if (read && self->want_read) {
        if (unsolicited_bytes_waiting(self->ac)) {
          // Outside any hiredis callback, so freeing now is safe; cleanup
          // and the disconnect callback report the protocol error.
          mark_protocol_violation(self->ac);
          redisAsyncFree(self->ac);
          return;
        }
        redisAsyncHandleRead(self->ac);
        if (self->ac != nullptr && self->max_reply != 0 &&
            unparsed_bytes(self->ac) > self->max_reply) {
          self->refused_reply = self->max_reply;
          mark_protocol_violation(self->ac, "reply too large");
          redisAsyncFree(self->ac);
        }
      } else if (!read && self->want_write) {
        redisAsyncHandleWrite(self->ac);
      }
    });
  }

  // hiredis' event hooks; privdata is the Adapter (kept alive by AsyncContext).
  static Adapter& of(void* privdata) { return *static_cast<Adapter*>(privdata); }
  static void add_read(void* privdata) {
    auto& a = of(privdata);
    a.want_read = true;
    start_wait(a.self.lock(), true);
  }
  static void del_read(void* privdata) { of(privdata).want_read = false; }
  static void add_write(void* privdata) {
    auto& a = of(privdata);
    a.want_write = true;
    start_wait(a.self.lock(), false);
  }
  static void del_write(void* privdata) { of(privdata).want_write = false; }
  static void cleanup(void* privdata) {
    // Called (possibly twice) just before hiredis frees the context. hiredis
    // closes the fd itself, so release it instead of closing it here.
    auto& a = of(privdata);
    a.ac = nullptr;
    a.want_read = a.want_write = false;
    if (a.descriptor.is_open()) {
      boost::system::error_code ignored;
      a.descriptor.cancel(ignored);
      a.descriptor.release();
    }
  }

  std::weak_ptr<Adapter> self;
};

namespace {

// hiredis' reason for a failure, phrased for people.
std::string describe_failure(const redisContext& c, int refused_array = 0,
                             std::size_t refused_reply = 0) {
  if (c.err == REDIS_ERR_PROTOCOL && refused_reply != 0) {
    return "a reply larger than " + std::to_string(refused_reply) +
           " bytes was refused (the limit follows redis.max_value_size)";
  }
  if (c.err == REDIS_ERR_OOM && refused_array != 0) {
    return "not a Redis server (an array reply of " + std::to_string(refused_array) +
           " elements, more than the " + std::to_string(k_max_array_reply) + " accepted)";
  }
  if (c.err == REDIS_ERR_PROTOCOL) {
    return std::string("not a Redis server (") + c.errstr + ")";
  }
  if (c.err == 0) {
    return "connection closed";
  }
  return c.errstr;
}

} // namespace

AsyncContext::AsyncContext(std::shared_ptr<Adapter> adapter, Events events)
    : m_adapter(std::move(adapter)), m_events(std::move(events)) {}

Result<std::unique_ptr<AsyncContext>> AsyncContext::attach(const asio::any_io_executor& executor,
                                                           redisAsyncContext* ac, Events events) {
  if (ac == nullptr) {
    return make_error("out of memory creating the redis context");
  }
  if (ac->err != 0) {
    std::string error = describe_failure(ac->c);
    redisAsyncFree(ac);
    return make_error(error);
  }
  auto adapter = std::make_shared<Adapter>(executor);
  adapter->self = adapter;
  boost::system::error_code ec;
  adapter->descriptor.assign(ac->c.fd, ec);
  if (ec) {
    redisAsyncFree(ac);
    return make_error("cannot watch the redis socket: " + ec.message());
  }
  adapter->ac = ac;
  if (ac->c.reader != nullptr) {
    limit_array_replies(*ac->c.reader, adapter->refused_array);
  }
  std::unique_ptr<AsyncContext> self(new AsyncContext(adapter, std::move(events)));
  ac->data = self.get();
  ac->ev.data = adapter.get();
  ac->ev.addRead = &Adapter::add_read;
  ac->ev.delRead = &Adapter::del_read;
  ac->ev.addWrite = &Adapter::add_write;
  ac->ev.delWrite = &Adapter::del_write;
  ac->ev.cleanup = &Adapter::cleanup;
  // The hooks must be in place first: setting the connect callback arms the
  // first write event, which is how hiredis notices the connect finished.
  redisAsyncSetConnectCallback(ac, &AsyncContext::on_connect);
  redisAsyncSetDisconnectCallback(ac, &AsyncContext::on_disconnect);
  return self;
}

Result<std::unique_ptr<AsyncContext>>
AsyncContext::connect_tcp(const asio::any_io_executor& executor, const std::string& ip,
                          std::uint16_t port, Events events) {
  redisAsyncContext* ac = redisAsyncConnect(ip.c_str(), port);
  auto result = attach(executor, ac, std::move(events));
  if (result) {
    // Notice a peer that vanished without a FIN on an otherwise idle connection.
    redisEnableKeepAlive(&(*result)->m_adapter->ac->c);
  }
  return result;
}

Result<std::unique_ptr<AsyncContext>>
AsyncContext::connect_unix(const asio::any_io_executor& executor, const std::string& path,
                           Events events) {
  return attach(executor, redisAsyncConnectUnix(path.c_str()), std::move(events));
}

AsyncContext::~AsyncContext() {
  m_muted = true;
  if (m_adapter->ac != nullptr) {
    // Runs every pending callback with a null reply (muted) and then cleanup.
    redisAsyncFree(m_adapter->ac);
  }
}

std::string AsyncContext::describe_error(const redisAsyncContext* ac) const {
  return describe_failure(ac->c, m_adapter->refused_array, m_adapter->refused_reply);
}

void AsyncContext::limit_reply_size(std::size_t bytes) {
  m_adapter->max_reply = bytes;
}

bool AsyncContext::alive() const {
  return m_adapter->ac != nullptr;
}

bool AsyncContext::send(std::uint64_t tag, const std::vector<std::string>& args) {
  if (m_adapter->ac == nullptr || args.empty()) {
    return false;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  // The tag travels as the privdata pointer value; nothing is allocated per command.
  void* privdata = reinterpret_cast<void*>( // NOLINT(performance-no-int-to-ptr): never dereferenced
      static_cast<std::uintptr_t>(tag));
  return redisAsyncCommandArgv(m_adapter->ac, &AsyncContext::on_reply, privdata,
                               static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) == REDIS_OK;
}

void AsyncContext::on_connect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<AsyncContext*>(ac->data);
  if (self == nullptr || self->m_muted) {
    return;
  }
  if (status == REDIS_OK) {
    self->m_connected = true;
  }
  if (self->m_events.connected) {
    self->m_events.connected(status == REDIS_OK ? std::string() : self->describe_error(ac));
  }
}

void AsyncContext::on_disconnect(const redisAsyncContext* ac, int /*status*/) {
  auto* self = static_cast<AsyncContext*>(ac->data);
  if (self == nullptr || self->m_muted) {
    return;
  }
  if (self->m_events.disconnected) {
    self->m_events.disconnected(self->describe_error(ac));
  }
}

void AsyncContext::on_reply(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* self = static_cast<AsyncContext*>(ac->data);
  if (self == nullptr || self->m_muted || !self->m_events.reply) {
    return;
  }
  auto tag = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(privdata));
  auto* r = static_cast<const redisReply*>(reply);
  self->m_events.reply(tag, r, r == nullptr ? self->describe_error(ac) : std::string());
  if (r != nullptr && unsolicited_bytes_buffered(ac)) {
    // Inside a reply callback hiredis defers the free until the callback
    // returns, before it would parse the unsolicited reply.
    mark_protocol_violation(ac);
    redisAsyncFree(ac);
  }
}

} // namespace homectl::redis
