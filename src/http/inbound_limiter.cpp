#include "homectl/http/inbound_limiter.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <random>

namespace homectl::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view policy_name(RouteClass route_class) {
  return route_class == RouteClass::refresh ? "refresh" : "default";
}

std::chrono::seconds ceil_seconds(std::chrono::milliseconds ms) {
  return std::chrono::ceil<std::chrono::seconds>(ms);
}

nlohmann::json describe(const config::LimitConfig& limit) {
  if (!limit.rate) {
    return {{"enabled", false}};
  }
  return {{"enabled", true}, {"rate_per_second", limit.rate->per_second()}, {"burst", limit.burst}};
}

// The MurmurHash3 finaliser: a bijection that spreads every input bit.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

} // namespace

std::string limiter_key(const ip::address& address) {
  if (address.is_v4()) {
    return address.to_v4().to_string();
  }
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, v6).to_string();
  }
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), static_cast<unsigned char>(0));
  return ip::address_v6(bytes).to_string() + "/64"; // the zone goes with the host part
}

std::size_t InboundLimiter::KeyHash::operator()(const KeyRef& key) const {
  // Not a MAC, but without the seed nobody can tell which chain a key lands
  // in, so many chosen prefixes cannot be aimed at one.
  std::uint64_t h =
      mix(seed ^ (static_cast<std::uint64_t>(key.route_class) << 56) ^ key.client.size());
  const char* p = key.client.data();
  std::size_t left = key.client.size();
  for (; left >= 8; left -= 8, p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    h = mix(h ^ word);
  }
  std::uint64_t tail = 0;
  if (left > 0) {
    std::memcpy(&tail, p, left);
  }
  return static_cast<std::size_t>(mix(h ^ tail));
}

InboundLimiter::InboundLimiter(const util::Clock& clock, const config::LimitsConfig& limits)
    : m_clock(clock), m_default_enabled(enabled(limits.default_class)),
      m_refresh_enabled(enabled(limits.refresh)), m_limits(limits),
      m_index(0, KeyHash{random_seed()}) {}

bool InboundLimiter::enabled(const config::LimitConfig& limit) {
  return limit.rate && limit.rate->per_second() > 0;
}

void InboundLimiter::configure(const config::LimitsConfig& limits) {
  std::lock_guard lock(m_mutex);
  const bool default_changed = !(limits.default_class == m_limits.default_class);
  const bool refresh_changed = !(limits.refresh == m_limits.refresh);
  for (auto it = m_lru.begin(); it != m_lru.end();) {
    const auto next = std::next(it);
    if (it->route_class == RouteClass::refresh ? refresh_changed : default_changed) {
      erase(it);
    }
    it = next;
  }
  m_limits = limits;
  m_default_enabled.store(enabled(limits.default_class), std::memory_order_release);
  m_refresh_enabled.store(enabled(limits.refresh), std::memory_order_release);
}

const config::LimitConfig* InboundLimiter::limit_for(RouteClass route_class) const {
  switch (route_class) {
  case RouteClass::probe:
    return nullptr;
  case RouteClass::read:
    return &m_limits.default_class;
  case RouteClass::refresh:
    return &m_limits.refresh;
  }
  return nullptr;
}

InboundLimiter::Decision InboundLimiter::check(std::string_view client, RouteClass route_class) {
  const bool maybe_limited =
      (route_class == RouteClass::read && m_default_enabled.load(std::memory_order_acquire)) ||
      (route_class == RouteClass::refresh && m_refresh_enabled.load(std::memory_order_acquire));
  if (!maybe_limited) {
    return {};
  }
  std::lock_guard lock(m_mutex);
  const auto* limit = limit_for(route_class);
  if (limit == nullptr || !limit->rate || limit->rate->per_second() <= 0) {
    return {};
  }
  const double rate = limit->rate->per_second();
  const double capacity = std::max(1, limit->burst);
  const auto now = m_clock.now();
  expire(now);

  Decision decision;
  decision.policy = policy_name(route_class);
  decision.quota = capacity;
  decision.window =
      std::chrono::seconds(std::max<long long>(1, std::llround(std::ceil(capacity / rate))));

  Lru::iterator entry;
  if (const auto found = m_index.find(KeyRef{client, route_class}); found != m_index.end()) {
    entry = found->second;
    m_lru.splice(m_lru.begin(), m_lru, entry);
  } else {
    if (m_lru.size() >= k_max_buckets) {
      erase(std::prev(m_lru.end()));
    }
    m_lru.push_front(Entry{std::string(client), route_class, {rate, capacity, now}});
    entry = m_lru.begin();
    try {
      m_index.emplace(KeyRef{entry->client, route_class}, entry);
    } catch (...) {
      m_lru.pop_front();
      throw;
    }
    m_refresh_tracked += route_class == RouteClass::refresh ? 1 : 0;
  }
  if (entry->bucket.try_take(now)) {
    return decision;
  }
  decision.limited = true;
  decision.retry_after =
      std::max(std::chrono::seconds(1), ceil_seconds(entry->bucket.wait_time(now)));
  return decision;
}

void InboundLimiter::expire(util::Clock::time_point now) {
  // A full bucket behaves exactly like a fresh one, so forgetting it is
  // invisible. Only the least recently seen end is looked at: a refilled
  // bucket further in waits until it gets there (memory stays capped). Each
  // entry leaves once, so this costs O(1) per request on average.
  while (!m_lru.empty() && m_lru.back().bucket.time_to_full(now) == std::chrono::milliseconds(0)) {
    erase(std::prev(m_lru.end()));
  }
}

void InboundLimiter::erase(Lru::iterator it) {
  m_index.erase(KeyRef{it->client, it->route_class});
  m_refresh_tracked -= it->route_class == RouteClass::refresh ? 1 : 0;
  m_lru.erase(it);
}

std::size_t InboundLimiter::tracked() const {
  std::lock_guard lock(m_mutex);
  return m_lru.size();
}

nlohmann::json InboundLimiter::state() const {
  std::lock_guard lock(m_mutex);
  nlohmann::json doc = {{"default", describe(m_limits.default_class)},
                        {"refresh", describe(m_limits.refresh)}};
  doc["default"]["tracked_clients"] = m_lru.size() - m_refresh_tracked;
  doc["refresh"]["tracked_clients"] = m_refresh_tracked;
  return doc;
}

Response too_many_requests(const InboundLimiter::Decision& decision) {
  const auto retry = decision.retry_after.count();
  auto response =
      Response::problem(429, "Too Many Requests",
                        "rate limit '" + std::string(decision.policy) +
                            "' exceeded for this client; retry in " + std::to_string(retry) + " s");
  response.set_header("Retry-After", std::to_string(retry));
  const auto quota = static_cast<long long>(decision.quota);
  response.set_header("RateLimit-Policy", "\"" + std::string(decision.policy) +
                                              "\";q=" + std::to_string(quota) +
                                              ";w=" + std::to_string(decision.window.count()));
  response.set_header("RateLimit",
                      "\"" + std::string(decision.policy) + "\";r=0;t=" + std::to_string(retry));
  return response;
}

} // namespace homectl::http
