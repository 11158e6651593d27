#include "homectl/cache/windows.hpp"

#include <algorithm>

namespace homectl::cache {

Windows Windows::from(const config::FetchPolicy& policy) {
  return Windows{policy.ttl, policy.stale_while_revalidate, policy.stale_if_error};
}

Duration Windows::servable_until() const {
  return ttl + std::max(stale_while_revalidate, stale_if_error);
}

std::string_view to_string(Freshness freshness) {
  switch (freshness) {
  case Freshness::fresh:
    return "fresh";
  case Freshness::stale_while_revalidate:
    return "stale-while-revalidate";
  case Freshness::stale_if_error:
    return "stale-if-error";
  case Freshness::must_revalidate:
    return "must-revalidate";
  case Freshness::expired:
    return "expired";
  }
  return "expired";
}

Freshness classify(Duration age, const Windows& windows, bool refresh_failing) {
  if (age < windows.ttl) {
    return Freshness::fresh;
  }
  const Duration over = age - windows.ttl;
  if (refresh_failing && over < windows.stale_if_error) {
    return Freshness::stale_if_error;
  }
  if (over < windows.stale_while_revalidate) {
    return Freshness::stale_while_revalidate;
  }
  if (over < windows.stale_if_error) {
    return Freshness::must_revalidate;
  }
  return Freshness::expired;
}

bool servable_on_error(Duration age, const Windows& windows) {
  return age < windows.servable_until();
}

} // namespace homectl::cache
