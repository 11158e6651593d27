// The SharedStore on Redis: entry codec, L2 get/set, refresh lock, PUBLISH.
#include "homectl/daemon/redis_store.hpp"

#include "homectl/log/logger.hpp"
#include "homectl/redis/commands.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <random>

namespace homectl::daemon {

namespace asio = boost::asio;

namespace {

constexpr std::string_view k_magic = "HCE1";
// Upper bound of one encoded text field other than the body (content type, ETag).
constexpr std::uint64_t k_max_header_field = 64 * 1024;
// Publishes awaiting a reply at once; more are dropped (bounded memory).
constexpr std::uint64_t k_max_publish_in_flight = 256;

void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 7; i >= 0; --i) {
    out.push_back(static_cast<char>((value >> (i * 8)) & 0xff));
  }
}

void put_field(std::string& out, std::string_view field) {
  put_u64(out, field.size());
  out.append(field);
}

// Reads fields from untrusted bytes; every read checks the remaining length.
class Reader {
public:
  explicit Reader(std::string_view bytes) : m_rest(bytes) {}

  bool u64(std::uint64_t& value) {
    if (m_rest.size() < 8) {
      return false;
    }
    value = 0;
    for (std::size_t i = 0; i < 8; ++i) {
      value = (value << 8) | static_cast<unsigned char>(m_rest[i]);
    }
    m_rest.remove_prefix(8);
    return true;
  }

  bool field(std::string& value, std::uint64_t limit) {
    std::uint64_t size = 0;
    if (!u64(size) || size > limit || size > m_rest.size()) {
      return false;
    }
    value.assign(m_rest.substr(0, static_cast<std::size_t>(size)));
    m_rest.remove_prefix(static_cast<std::size_t>(size));
    return true;
  }

  bool done() const { return m_rest.empty(); }

private:
  std::string_view m_rest;
};

} // namespace

std::string encode_entry(const sources::StoredEntry& entry) {
  std::string out;
  out.reserve(k_magic.size() + 5 * 8 + entry.body.size() + entry.content_type.size() +
              entry.etag.size());
  out.append(k_magic);
  put_u64(out, static_cast<std::uint64_t>(entry.status));
  const auto wall_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(entry.fetched_wall.time_since_epoch())
          .count();
  put_u64(out, static_cast<std::uint64_t>(wall_ms));
  put_field(out, entry.content_type);
  put_field(out, entry.etag);
  put_field(out, entry.body);
  return out;
}

Result<sources::StoredEntry> decode_entry(std::string_view bytes) {
  if (bytes.substr(0, k_magic.size()) != k_magic) {
    return make_error("shared cache entry: unknown format (expected the HCE1 header)");
  }
  Reader reader(bytes.substr(k_magic.size()));
  std::uint64_t status = 0;
  std::uint64_t wall_ms = 0;
  sources::StoredEntry entry;
  if (!reader.u64(status) || !reader.u64(wall_ms)) {
    return make_error("shared cache entry: truncated header");
  }
  if (status < 100 || status > 599) {
    return make_error("shared cache entry: invalid HTTP status " + std::to_string(status));
  }
  // The clock counts in nanoseconds here: anything past its range (year 2262)
  // would overflow on conversion, so a corrupted time is an error, not UB.
  constexpr auto k_max_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::duration::max())
                                     .count();
  if (wall_ms > static_cast<std::uint64_t>(k_max_wall_ms)) {
    return make_error("shared cache entry: fetch time out of range");
  }
  entry.status = static_cast<int>(status);
  entry.fetched_wall = std::chrono::system_clock::time_point(
      std::chrono::milliseconds(static_cast<std::int64_t>(wall_ms)));
  if (!reader.field(entry.content_type, k_max_header_field) ||
      !reader.field(entry.etag, k_max_header_field) ||
      !reader.field(entry.body, std::numeric_limits<std::uint64_t>::max())) {
    return make_error("shared cache entry: truncated or oversized field");
  }
  if (!reader.done()) {
    return make_error("shared cache entry: trailing bytes after the body");
  }
  return entry;
}

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

asio::awaitable<std::optional<sources::StoredEntry>> RedisStore::load(std::string source) {
  if (!m_client.up()) {
    co_return std::nullopt;
  }
  auto reply = co_await redis::get(m_client, cache_key(source));
  if (!reply) {
    log::debug("shared cache read failed", {{"source", source}, {"error", reply.error().message}});
    co_return std::nullopt;
  }
  if (!*reply) {
    co_return std::nullopt;
  }
  auto entry = decode_entry(**reply);
  if (!entry) {
    log::warn("ignoring a malformed shared cache entry",
              {{"source", source}, {"key", cache_key(source)}, {"error", entry.error().message}});
    co_return std::nullopt;
  }
  co_return std::move(*entry);
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

PublishStats RedisStore::publish_stats() const {
  return PublishStats{m_counters->ok.load(std::memory_order_relaxed),
                      m_counters->dropped.load(std::memory_order_relaxed),
                      m_counters->error.load(std::memory_order_relaxed)};
}

} // namespace homectl::daemon
