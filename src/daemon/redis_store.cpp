// The SharedStore on Redis: L2 get/set, refresh lock, PUBLISH.
#include "homectl/daemon/redis_store.hpp"

#include "homectl/log/logger.hpp"
#include "homectl/redis/commands.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>

namespace homectl::daemon {

namespace asio = boost::asio;

namespace {

// Publishes awaiting a reply at once; more are dropped (bounded memory).
constexpr std::uint64_t k_max_publish_in_flight = 256;

} // namespace

std::string make_instance_id() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) {
    host[0] = '\0';
  }
  std::random_device device;
  std::uniform_int_distribution<std::uint64_t> pick;
  const std::uint64_t bits = (static_cast<std::uint64_t>(device()) << 32) ^ device() ^ pick(device);
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(bits));
  return std::string(host.data()) + "-" + std::to_string(::getpid()) + "-" + suffix;
}

RedisStore::RedisStore(asio::any_io_executor executor, redis::Client& client,
                       config::RedisConfig config, std::string instance_id)
    : m_executor(std::move(executor)), m_client(client), m_config(std::move(config)),
      m_instance_id(std::move(instance_id)) {}

std::string RedisStore::cache_key(std::string_view source) const {
  return m_config.prefix + "cache:" + std::string(source);
}

std::string RedisStore::lock_key(std::string_view source) const {
  return m_config.prefix + "lock:" + std::string(source);
}

std::string RedisStore::events_channel() const {
  return m_config.prefix + "events";
}

JudgedEntry judge_entry(const redis::BoundedValue& found, std::size_t max_body) {
  JudgedEntry judged;
  if (found.too_large != 0) {
    judged.rejected = "too_large";
    judged.problem = "shared cache entry: " + std::to_string(found.too_large) +
                     " bytes, more than the " + std::to_string(max_encoded_size(max_body)) +
                     " accepted";
    return judged;
  }
  if (found.wrong_type) {
    judged.rejected = "invalid";
    judged.problem = "shared cache entry: the key holds no string";
    return judged;
  }
  if (!found.value) {
    return judged;
  }
  auto entry = decode_entry(*found.value);
  if (!entry) {
    judged.rejected = "invalid";
    judged.problem = entry.error().message;
    return judged;
  }
  if (entry->body.size() > max_body) {
    judged.rejected = "too_large";
    judged.problem = "shared cache entry: a body of " + std::to_string(entry->body.size()) +
                     " bytes, more than the " + std::to_string(max_body) + " accepted";
    return judged;
  }
  judged.entry = std::move(*entry);
  return judged;
}

asio::awaitable<std::optional<sources::StoredEntry>> RedisStore::load(std::string source,
                                                                      std::size_t max_body) {
  if (!m_client.up()) {
    co_return std::nullopt;
  }
  // The body limit of both the writer (redis.max_value_size) and the reader
  // (the source's max_size): nothing larger is ever fetched from Redis.
  const std::size_t limit = std::min(max_body, m_config.max_value_size);
  auto found = co_await redis::get_bounded(m_client, cache_key(source), max_encoded_size(limit));
  if (!found) {
    log::debug("shared cache read failed", {{"source", source}, {"error", found.error().message}});
    co_return std::nullopt;
  }
  auto judged = judge_entry(*found, limit);
  if (!judged.rejected.empty()) {
    (judged.rejected == "too_large" ? m_counters->rejected_too_large : m_counters->rejected_invalid)
        .fetch_add(1, std::memory_order_relaxed);
    log::warn("ignoring a shared cache entry", {{"source", source},
                                                {"key", cache_key(source)},
                                                {"reason", judged.rejected},
                                                {"error", judged.problem}});
  }
  co_return std::move(judged.entry);
}

asio::awaitable<void> RedisStore::store(std::string source, sources::StoredEntry entry,
                                        std::chrono::milliseconds ttl) {
  if (!m_client.up()) {
    co_return;
  }
  if (entry.body.size() > m_config.max_value_size) {
    log::debug(
        "entry too large for the shared cache",
        {{"source", source}, {"bytes", entry.body.size()}, {"limit", m_config.max_value_size}});
    co_return;
  }
  const auto expiry = std::clamp(ttl, std::chrono::milliseconds(1), m_config.max_ttl);
  auto stored = co_await redis::set_px(m_client, cache_key(source), encode_entry(entry), expiry);
  if (!stored) {
    log::debug("shared cache write failed",
               {{"source", source}, {"error", stored.error().message}});
  }
}

asio::awaitable<bool> RedisStore::try_lock(std::string source, std::chrono::milliseconds ttl) {
  if (!m_client.up()) {
    co_return true; // Redis down: fetch independently rather than not at all
  }
  const auto expiry = std::clamp(ttl, std::chrono::milliseconds(1), m_config.max_ttl);
  auto taken = co_await redis::try_lock(m_client, lock_key(source), m_instance_id, expiry);
  if (!taken) {
    co_return true;
  }
  co_return *taken;
}

asio::awaitable<void> RedisStore::unlock(std::string source) {
  if (!m_client.up()) {
    co_return; // the lock expires on its own
  }
  auto released = co_await redis::unlock(m_client, lock_key(source), m_instance_id);
  if (!released) {
    log::debug("releasing the refresh lock failed",
               {{"source", source}, {"error", released.error().message}});
  }
}

void RedisStore::publish(const sources::Event& event) {
  auto counters = m_counters;
  if (!m_client.up()) {
    counters->dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (counters->in_flight.fetch_add(1, std::memory_order_relaxed) >= k_max_publish_in_flight) {
    counters->in_flight.fetch_sub(1, std::memory_order_relaxed);
    counters->dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  asio::co_spawn(
      m_executor,
      [](redis::Client& client, std::shared_ptr<Counters> shared, std::string channel,
         std::string message) -> asio::awaitable<void> {
        auto sent = co_await redis::publish(client, std::move(channel), std::move(message));
        (sent ? shared->ok : shared->error).fetch_add(1, std::memory_order_relaxed);
        shared->in_flight.fetch_sub(1, std::memory_order_relaxed);
      }(m_client, counters, events_channel(), event.to_json()),
      asio::detached);
}

RejectStats RedisStore::reject_stats() const {
  return RejectStats{m_counters->rejected_too_large.load(std::memory_order_relaxed),
                     m_counters->rejected_invalid.load(std::memory_order_relaxed)};
}

PublishStats RedisStore::publish_stats() const {
  return PublishStats{m_counters->ok.load(std::memory_order_relaxed),
                      m_counters->dropped.load(std::memory_order_relaxed),
                      m_counters->error.load(std::memory_order_relaxed)};
}

} // namespace homectl::daemon
