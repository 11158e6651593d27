// Redis wired into the daemon: connections, check, metrics, invalidation.
#include "homectl/daemon/redis_area.hpp"

#include "homectl/log/logger.hpp"
#include "homectl/util/json.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <limits>

namespace homectl::daemon {

namespace asio = boost::asio;

RedisArea::RedisArea(const asio::any_io_executor& executor, const redis::Endpoint& endpoint,
                     config::RedisConfig config)
    : m_config(std::move(config)),
      m_client(executor, endpoint, redis::ClientOptions::from_config(m_config)),
      m_subscriber(
          executor, endpoint,
          [this](const std::string&, const std::string& payload) { handle_message(payload); },
          redis::ClientOptions::from_config(m_config)),
      m_store(executor, m_client, m_config, make_instance_id()) {
  m_subscriber.subscribe({m_store.events_channel()});
  m_client.start();
  m_subscriber.start();
}

RedisArea::~RedisArea() {
  m_subscriber.close();
  m_client.close();
}

void RedisArea::on_remote_update(RemoteUpdate callback) {
  std::lock_guard lock(m_mutex);
  m_remote_update = std::move(callback);
}

void RedisArea::handle_message(const std::string& payload) {
  // Any client of the Redis server can publish here: bounded parse, and
  // anything that is not a well-formed event of ours is ignored.
  const auto parsed = util::parse_json(payload);
  if (!parsed) {
    return;
  }
  const auto& event = *parsed;
  if (!event.is_object() || event.value("type", "") != "source.updated" ||
      !event.contains("source") || !event["source"].is_string()) {
    return; // other event types, or not ours: nothing to load
  }
  const auto etag = event.contains("etag") && event["etag"].is_string()
                        ? event["etag"].get<std::string>()
                        : std::string();
  RemoteUpdate callback;
  {
    std::lock_guard lock(m_mutex);
    callback = m_remote_update;
  }
  if (callback) {
    callback(event["source"].get<std::string>(), etag);
  }
}

health::Check RedisArea::check() const {
  const auto stats = m_client.stats();
  health::Check check;
  check.key = "redis:connection";
  check.component_type = "datastore";
  if (stats.last_ping_latency) {
    check.observed_value = static_cast<double>(stats.last_ping_latency->count()) / 1000.0;
    check.observed_unit = "ms";
  }
  check.extra = nlohmann::json{{"reconnects", stats.reconnects},
                               {"subscribed", m_subscriber.up()},
                               {"url", m_client.endpoint().describe()}};
  if (!stats.up) {
    check.status = m_config.required ? health::Status::fail : health::Status::warn;
    check.output = "Redis at " + m_client.endpoint().describe() + " is unreachable" +
                   (stats.last_error.empty() ? std::string() : ": " + stats.last_error);
  }
  return check;
}

namespace {

// Turns monotonically growing totals read elsewhere into Counter increments.
class DeltaCounter {
public:
  explicit DeltaCounter(metrics::Counter& counter) : m_counter(&counter) {}
  void update(std::uint64_t total) {
    if (total > m_seen) {
      m_counter->inc(static_cast<double>(total - m_seen));
      m_seen = total;
    }
  }

private:
  metrics::Counter* m_counter;
  std::uint64_t m_seen = 0;
};

void add_metrics(ServerCore& core, const std::shared_ptr<RedisArea>& area) {
  auto& registry = core.metrics;
  auto& up = registry.gauge("homectl_redis_up", "1 while the Redis command connection is up").get();
  auto& ping =
      registry
          .gauge("homectl_redis_ping_latency_seconds",
                 "Round trip of the latest PING to Redis (NaN while the connection is down)")
          .get();
  auto& commands =
      registry.counter("homectl_redis_commands_total", "Redis commands by outcome", {"outcome"});
  auto& published = registry.counter("homectl_events_published_total",
                                     "Change events published on Redis by outcome", {"outcome"});
  auto& rejected = registry.counter(
      "homectl_redis_entries_rejected_total",
      "Shared cache entries read from Redis but not used, by reason (too_large, invalid)",
      {"reason"});
  auto& reconnects = registry
                         .counter("homectl_redis_reconnects_total",
                                  "Redis reconnect attempts after the first connect")
                         .get();
  struct Seen {
    Seen(metrics::Family<metrics::Counter>& c, metrics::Counter& r,
         metrics::Family<metrics::Counter>& p, metrics::Family<metrics::Counter>& x)
        : commands{DeltaCounter(c.with({"ok"})), DeltaCounter(c.with({"error"})),
                   DeltaCounter(c.with({"timeout"})), DeltaCounter(c.with({"dropped"}))},
          reconnects(r), published{DeltaCounter(p.with({"ok"})), DeltaCounter(p.with({"dropped"})),
                                   DeltaCounter(p.with({"error"}))},
          rejected{DeltaCounter(x.with({"too_large"})), DeltaCounter(x.with({"invalid"}))} {}
    std::mutex mutex;
    std::array<DeltaCounter, 4> commands;
    DeltaCounter reconnects;
    std::array<DeltaCounter, 3> published;
    std::array<DeltaCounter, 2> rejected;
  };
  auto seen = std::make_shared<Seen>(commands, reconnects, published, rejected);
  std::weak_ptr<RedisArea> weak = area;
  registry.on_collect([weak, seen, &up, &ping] {
    const auto a = weak.lock();
    if (!a) {
      return;
    }
    const auto stats = a->stats();
    const auto events = a->store().publish_stats();
    const auto refused = a->store().reject_stats();
    std::lock_guard lock(seen->mutex);
    up.set(stats.up ? 1.0 : 0.0);
    ping.set(stats.up && stats.last_ping_latency
                 ? std::chrono::duration<double>(*stats.last_ping_latency).count()
                 : std::numeric_limits<double>::quiet_NaN());
    seen->commands[0].update(stats.commands_ok);
    seen->commands[1].update(stats.commands_error);
    seen->commands[2].update(stats.commands_timeout);
    seen->commands[3].update(stats.commands_dropped);
    seen->reconnects.update(stats.reconnects);
    seen->published[0].update(events.ok);
    seen->published[1].update(events.dropped);
    seen->published[2].update(events.error);
    seen->rejected[0].update(refused.too_large);
    seen->rejected[1].update(refused.invalid);
  });
}

} // namespace

std::shared_ptr<RedisArea> install_redis(asio::io_context& io, ServerCore& core) {
  const auto config = core.state.config()->redis;
  if (config.url.empty()) {
    return nullptr;
  }
  auto endpoint = redis::parse_url(config.url);
  if (!endpoint) {
    // Validation uses the same parser, so this is a configuration that got
    // past it some other way; redis.required still means not ready.
    log::error("redis.url is invalid: Redis stays off", {{"problem", endpoint.error().message}});
    health::Check check;
    check.key = "redis:connection";
    check.component_type = "datastore";
    check.status = config.required ? health::Status::fail : health::Status::warn;
    check.output = "redis.url is invalid: " + endpoint.error().message;
    core.checks.add("redis", [check] { return std::vector<health::Check>{check}; });
    return nullptr;
  }
  auto area = std::make_shared<RedisArea>(asio::make_strand(io), *endpoint, config);
  std::weak_ptr<RedisArea> weak = area;
  core.checks.add("redis", [weak] {
    const auto a = weak.lock();
    return a ? std::vector<health::Check>{a->check()} : std::vector<health::Check>{};
  });
  add_metrics(core, area);
  log::info("redis enabled", {{"url", endpoint->describe()},
                              {"required", config.required},
                              {"instance", area->store().instance_id()}});
  return area;
}

} // namespace homectl::daemon
