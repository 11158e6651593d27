#include "homectl/http/inbound_limiter.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace homectl::http {
namespace {

// How often idle buckets are swept out.
constexpr auto k_sweep_interval = std::chrono::seconds(10);

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

} // namespace

InboundLimiter::InboundLimiter(const util::Clock& clock, const config::LimitsConfig& limits)
    : m_clock(clock), m_default_enabled(enabled(limits.default_class)),
      m_refresh_enabled(enabled(limits.refresh)), m_limits(limits),
      m_next_sweep(clock.now() + k_sweep_interval) {}

bool InboundLimiter::enabled(const config::LimitConfig& limit) {
  return limit.rate && limit.rate->per_second() > 0;
}

void InboundLimiter::configure(const config::LimitsConfig& limits) {
  std::lock_guard lock(m_mutex);
  const bool default_changed = !(limits.default_class == m_limits.default_class);
  const bool refresh_changed = !(limits.refresh == m_limits.refresh);
  std::erase_if(m_buckets, [&](const auto& item) {
    return item.first.second == RouteClass::refresh ? refresh_changed : default_changed;
  });
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
  if (now >= m_next_sweep) {
    sweep(now);
  }

  Decision decision;
  decision.policy = policy_name(route_class);
  decision.quota = capacity;
  decision.window =
      std::chrono::seconds(std::max<long long>(1, std::llround(std::ceil(capacity / rate))));

  Key key{std::string(client), route_class};
  auto it = m_buckets.find(key);
  if (it == m_buckets.end()) {
    if (m_buckets.size() >= k_max_buckets) {
      sweep(now);
      if (m_buckets.size() >= k_max_buckets) {
        evict_oldest();
      }
    }
    it = m_buckets.emplace(std::move(key), Slot{{rate, capacity, now}, now}).first;
  }
  auto& slot = it->second;
  slot.last_used = now;
  if (slot.bucket.try_take(now)) {
    return decision;
  }
  decision.limited = true;
  decision.retry_after =
      std::max(std::chrono::seconds(1), ceil_seconds(slot.bucket.wait_time(now)));
  return decision;
}

void InboundLimiter::sweep(util::Clock::time_point now) {
  // A full bucket behaves exactly like a fresh one, so forgetting it is invisible.
  for (auto it = m_buckets.begin(); it != m_buckets.end();) {
    if (it->second.bucket.time_to_full(now) == std::chrono::milliseconds(0)) {
      it = m_buckets.erase(it);
    } else {
      ++it;
    }
  }
  m_next_sweep = now + k_sweep_interval;
}

void InboundLimiter::evict_oldest() {
  auto oldest =
      std::min_element(m_buckets.begin(), m_buckets.end(), [](const auto& a, const auto& b) {
        return a.second.last_used < b.second.last_used;
      });
  if (oldest != m_buckets.end()) {
    m_buckets.erase(oldest);
  }
}

std::size_t InboundLimiter::tracked() const {
  std::lock_guard lock(m_mutex);
  return m_buckets.size();
}

nlohmann::json InboundLimiter::state() const {
  std::lock_guard lock(m_mutex);
  nlohmann::json doc = {{"default", describe(m_limits.default_class)},
                        {"refresh", describe(m_limits.refresh)}};
  std::size_t default_clients = 0;
  std::size_t refresh_clients = 0;
  for (const auto& [key, slot] : m_buckets) {
    (key.second == RouteClass::refresh ? refresh_clients : default_clients) += 1;
  }
  doc["default"]["tracked_clients"] = default_clients;
  doc["refresh"]["tracked_clients"] = refresh_clients;
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
