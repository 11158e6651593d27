// Redis wired into the daemon: connections, check, metrics, invalidation.
#include "homectl/daemon/redis_area.hpp"

#include "homectl/log/logger.hpp"
#include "homectl/util/json.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <nlohmann/json.hpp>

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

// Every Redis metric is read at scrape time from the totals the client and
// the store keep; the area is reached through a weak pointer so a sample read
// after it is gone reads nothing.
void add_metrics(ServerCore& core, const std::shared_ptr<RedisArea>& area) {
  auto& registry = core.metrics;
  auto& samples = core.metric_samples;
  const std::weak_ptr<RedisArea> weak = area;
  // A sample of `f(area)`, or `otherwise` once the area is gone.
  const auto sample = [weak](auto f, double otherwise = 0.0) {
    return [weak, f, otherwise] {
      const auto a = weak.lock();
      return a ? f(*a) : otherwise;
    };
  };
  const auto client = [&](auto field) {
    return sample([field](const RedisArea& a) { return static_cast<double>(a.stats().*field); });
  };
  samples.push_back(
      registry.sampled_gauge("homectl_redis_up", "1 while the Redis command connection is up")
          .add({}, sample([](const RedisArea& a) { return a.stats().up ? 1.0 : 0.0; })));
  samples.push_back(
      registry
          .sampled_gauge(
              "homectl_redis_ping_latency_seconds",
              "Round trip of the latest PING to Redis (NaN while the connection is down)")
          .add({},
               sample(
                   [](const RedisArea& a) {
                     const auto stats = a.stats();
                     return stats.up && stats.last_ping_latency
                                ? std::chrono::duration<double>(*stats.last_ping_latency).count()
                                : std::numeric_limits<double>::quiet_NaN();
                   },
                   std::numeric_limits<double>::quiet_NaN())));
  auto& commands = registry.sampled_counter("homectl_redis_commands_total",
                                            "Redis commands by outcome", {"outcome"});
  samples.push_back(commands.add({"ok"}, client(&redis::ClientStats::commands_ok)));
  samples.push_back(commands.add({"error"}, client(&redis::ClientStats::commands_error)));
  samples.push_back(commands.add({"timeout"}, client(&redis::ClientStats::commands_timeout)));
  samples.push_back(commands.add({"dropped"}, client(&redis::ClientStats::commands_dropped)));
  samples.push_back(registry
                        .sampled_counter("homectl_redis_reconnects_total",
                                         "Redis reconnect attempts after the first connect")
                        .add({}, client(&redis::ClientStats::reconnects)));
  auto& published = registry.sampled_counter(
      "homectl_events_published_total", "Change events published on Redis by outcome", {"outcome"});
  const auto events = [&](auto field) {
    return sample(
        [field](RedisArea& a) { return static_cast<double>(a.store().publish_stats().*field); });
  };
  samples.push_back(published.add({"ok"}, events(&PublishStats::ok)));
  samples.push_back(published.add({"dropped"}, events(&PublishStats::dropped)));
  samples.push_back(published.add({"error"}, events(&PublishStats::error)));
  auto& rejected = registry.sampled_counter(
      "homectl_redis_entries_rejected_total",
      "Shared cache entries read from Redis but not used, by reason (too_large, invalid)",
      {"reason"});
  const auto refused = [&](auto field) {
    return sample(
        [field](RedisArea& a) { return static_cast<double>(a.store().reject_stats().*field); });
  };
  samples.push_back(rejected.add({"too_large"}, refused(&RejectStats::too_large)));
  samples.push_back(rejected.add({"invalid"}, refused(&RejectStats::invalid)));
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
