#pragma once

#include "homectl/config/config.hpp"
#include "homectl/http/message.hpp"
#include "homectl/http/router.hpp"
#include "homectl/resilience/token_bucket.hpp"
#include "homectl/util/clock.hpp"

#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

// Inbound rate limiting: one token bucket per client address and route class
// (DESIGN.md §4). Thread-safe; memory is bounded because buckets that have
// refilled completely (idle clients) are dropped, and the table has a cap.
namespace homectl::http {

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

  // At most this many buckets are tracked; beyond it the oldest is evicted.
  static constexpr std::size_t k_max_buckets = 65'536;

  InboundLimiter(const util::Clock& clock, const config::LimitsConfig& limits);

  // Replaces the limits (reload). Buckets of classes whose limit changed are dropped.
  void configure(const config::LimitsConfig& limits);

  // Takes a token for `client` in `route_class`, or says why not.
  Decision check(std::string_view client, RouteClass route_class);

  // Number of buckets currently tracked.
  std::size_t tracked() const;

  // {"default": {"rate", "burst", "tracked_clients"}, "refresh": {...}} for /diagnostics.
  nlohmann::json state() const;

private:
  struct Slot {
    resilience::TokenBucket bucket;
    util::Clock::time_point last_used;
  };
  using Key = std::pair<std::string, RouteClass>;

  const config::LimitConfig* limit_for(RouteClass route_class) const;
  void sweep(util::Clock::time_point now);
  void evict_oldest();

  // Whether a class has a rate at all, readable without the lock: unlimited
  // classes (the default) skip the lock on every request.
  static bool enabled(const config::LimitConfig& limit);

  const util::Clock& m_clock;
  std::atomic<bool> m_default_enabled{false};
  std::atomic<bool> m_refresh_enabled{false};
  mutable std::mutex m_mutex;
  config::LimitsConfig m_limits;
  std::map<Key, Slot> m_buckets;
  util::Clock::time_point m_next_sweep;
};

// Adds Retry-After, RateLimit and RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers)
// and a problem+json body: the complete 429 answer for a limited request.
Response too_many_requests(const InboundLimiter::Decision& decision);

} // namespace homectl::http
