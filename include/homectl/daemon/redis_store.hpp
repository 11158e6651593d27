#pragma once

#include "homectl/config/config.hpp"
#include "homectl/daemon/entry_codec.hpp"
#include "homectl/redis/client.hpp"
#include "homectl/redis/commands.hpp"
#include "homectl/sources/shared_store.hpp"
#include "homectl/util/result.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// The shared second-level store on Redis: cache entries under
// `{prefix}cache:{source}`, refresh locks under `{prefix}lock:{source}` and
// change events on `{prefix}events`. Every key carries a TTL.
namespace homectl::daemon {

// Counters of published events (for homectl_events_published_total).
struct PublishStats {
  std::uint64_t ok = 0;
  std::uint64_t dropped = 0; // Redis down or too many publishes in flight
  std::uint64_t error = 0;   // sent but failed (error reply, timeout, lost)
};

// Counters of shared entries found but not used (for
// homectl_redis_entries_rejected_total).
struct RejectStats {
  std::uint64_t too_large = 0; // longer than redis.max_value_size or the source's max_size
  std::uint64_t invalid = 0;   // not an entry homectl wrote: undecodable or not a string
};

// What to make of what a bounded read found under a cache key: the entry, or
// why it is refused ("too_large", "invalid") and the problem, for a source
// that accepts bodies of up to `max_body` bytes. Nothing found: neither.
struct JudgedEntry {
  std::optional<sources::StoredEntry> entry;
  std::string_view rejected; // "" when accepted or missing
  std::string problem;
};
JudgedEntry judge_entry(const redis::BoundedValue& found, std::size_t max_body);

class RedisStore final : public sources::SharedStore {
public:
  // `client` must outlive the store; `instance_id` proves lock ownership.
  RedisStore(boost::asio::any_io_executor executor, redis::Client& client,
             config::RedisConfig config, std::string instance_id);

  // Reads the entry bounded by the smaller of redis.max_value_size and
  // `max_body`; an oversized or undecodable one is ignored and counted.
  boost::asio::awaitable<std::optional<sources::StoredEntry>> load(std::string source,
                                                                   std::size_t max_body) override;
  boost::asio::awaitable<void> store(std::string source, sources::StoredEntry entry,
                                     std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<bool> try_lock(std::string source, std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<void> unlock(std::string source) override;
  void publish(const sources::Event& event) override;

  // Key names (with the configured prefix).
  std::string cache_key(std::string_view source) const;
  std::string lock_key(std::string_view source) const;
  std::string events_channel() const;
  const std::string& instance_id() const { return m_instance_id; }
  // Event publish counters. Thread-safe.
  PublishStats publish_stats() const;
  // Entries found but not used. Thread-safe.
  RejectStats reject_stats() const;

private:
  struct Counters {
    std::atomic<std::uint64_t> ok{0};
    std::atomic<std::uint64_t> dropped{0};
    std::atomic<std::uint64_t> error{0};
    std::atomic<std::uint64_t> in_flight{0};
    std::atomic<std::uint64_t> rejected_too_large{0};
    std::atomic<std::uint64_t> rejected_invalid{0};
  };

  boost::asio::any_io_executor m_executor;
  redis::Client& m_client;
  config::RedisConfig m_config;
  std::string m_instance_id;
  std::shared_ptr<Counters> m_counters = std::make_shared<Counters>();
};

// A unique id for this process's locks: host name, pid and random bits.
std::string make_instance_id();

} // namespace homectl::daemon
