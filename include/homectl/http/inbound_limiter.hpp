#pragma once

#include "homectl/config/config.hpp"
#include "homectl/http/message.hpp"
#include "homectl/http/router.hpp"
#include "homectl/resilience/token_bucket.hpp"
#include "homectl/util/clock.hpp"

#include <boost/asio/ip/address.hpp>
#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

// Inbound rate limiting: one token bucket per client and route class
// (DESIGN.md §4). Thread-safe; every request costs O(1) however many clients
// there are: the table is a hash map over a least-recently-seen list, capped,
// and buckets that have refilled completely (idle clients) leave from its tail.
namespace homectl::http {

// The client a request from `address` is counted against: an IPv4 address
// (also arriving IPv4-mapped, ::ffff:a.b.c.d) as itself, an IPv6 address by
// its /64 prefix ("2001:db8:1:2::/64"), since one network, a home's or an
// attacker's, gets a whole /64.
std::string limiter_key(const boost::asio::ip::address& address);

class InboundLimiter {
public:
  // The verdict for one request, with what the RateLimit headers need.
  struct Decision {
    bool limited = false;        // true: answer 429
    std::string_view policy;     // "default" or "refresh"; empty = class not limited
    double quota = 0;            // bucket capacity (RateLimit-Policy q)
    std::chrono::seconds window; // time to refill a full quota (RateLimit-Policy w)
    std::chrono::seconds retry_after{0};
  };

  // At most this many buckets are tracked; beyond it the least recently seen is evicted.
  static constexpr std::size_t k_max_buckets = 65'536;

  InboundLimiter(const util::Clock& clock, const config::LimitsConfig& limits);

  // Replaces the limits (reload). Buckets of classes whose limit changed are dropped.
  void configure(const config::LimitsConfig& limits);

  // Takes a token for `client` (the peer's limiter_key; each distinct text is
  // one client) in `route_class`, or says why not.
  Decision check(std::string_view client, RouteClass route_class);

  // Number of buckets currently tracked.
  std::size_t tracked() const;

  // {"default": {"rate", "burst", "tracked_clients"}, "refresh": {...}} for /diagnostics.
  nlohmann::json state() const;

private:
  struct Entry {
    std::string client;
    RouteClass route_class;
    resilience::TokenBucket bucket;
  };
  using Lru = std::list<Entry>; // most recently seen first

  // The index refers to the client text inside its list entry, which never
  // moves, so each client is stored once.
  struct KeyRef {
    std::string_view client;
    RouteClass route_class;
    bool operator==(const KeyRef&) const = default;
  };
  // Seeded per limiter, so nobody can choose addresses that share a hash chain.
  struct KeyHash {
    std::uint64_t seed;
    std::size_t operator()(const KeyRef& key) const;
  };

  const config::LimitConfig* limit_for(RouteClass route_class) const;
  void expire(util::Clock::time_point now);
  void erase(Lru::iterator it);

  // Whether a class has a rate at all, readable without the lock: unlimited
  // classes (the default) skip the lock on every request.
  static bool enabled(const config::LimitConfig& limit);

  const util::Clock& m_clock;
  std::atomic<bool> m_default_enabled{false};
  std::atomic<bool> m_refresh_enabled{false};
  mutable std::mutex m_mutex;
  config::LimitsConfig m_limits;
  Lru m_lru;
  std::unordered_map<KeyRef, Lru::iterator, KeyHash> m_index;
  std::size_t m_refresh_tracked = 0; // entries of the refresh class, for state()
};

// Adds Retry-After, RateLimit and RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers)
// and a problem+json body: the complete 429 answer for a limited request.
Response too_many_requests(const InboundLimiter::Decision& decision);

} // namespace homectl::http
