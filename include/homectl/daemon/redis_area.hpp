#pragma once

#include "homectl/config/config.hpp"
#include "homectl/daemon/redis_store.hpp"
#include "homectl/daemon/server_core.hpp"
#include "homectl/health/checks.hpp"
#include "homectl/redis/client.hpp"
#include "homectl/redis/subscriber.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace boost::asio {
class io_context;
}

// Redis in the daemon: one command connection, one subscription to
// `{prefix}events`, the SharedStore on top, its /ready check and metrics.
namespace homectl::daemon {

// Called when another instance announced a new entry (source, ETag) on the
// events channel; runs on the Redis strand and must not block.
using RemoteUpdate = std::function<void(const std::string& source, const std::string& etag)>;

class RedisArea {
public:
  // Connects in the background; `executor` should be a strand.
  RedisArea(const boost::asio::any_io_executor& executor, const redis::Endpoint& endpoint,
            config::RedisConfig config);
  ~RedisArea();
  RedisArea(const RedisArea&) = delete;
  RedisArea& operator=(const RedisArea&) = delete;

  // The L2 store for the sources Service.
  RedisStore& store() { return m_store; }
  // Sets who hears about entries other instances refreshed (source.updated).
  void on_remote_update(RemoteUpdate callback);
  // The `redis:connection` check: fail when down and `redis.required`, warn when down otherwise.
  health::Check check() const;
  // Connection and publish counters.
  redis::ClientStats stats() const { return m_client.stats(); }

private:
  void handle_message(const std::string& payload);

  config::RedisConfig m_config;
  redis::Client m_client;
  redis::Subscriber m_subscriber;
  RedisStore m_store;
  mutable std::mutex m_mutex;
  RemoteUpdate m_remote_update;
};

// Wires Redis in when `redis.url` is set: the area (kept in core.redis), the
// `redis` health check and the homectl_redis_* / homectl_events_published_total
// metrics. Returns null when no Redis is configured or its URL is invalid.
std::shared_ptr<RedisArea> install_redis(boost::asio::io_context& io, ServerCore& core);

} // namespace homectl::daemon
