#pragma once

#include "homectl/config/config.hpp"

#include <chrono>
#include <string_view>

// The serving windows of a cached entry (RFC 5861): fresh for `ttl`; after
// expiry, served stale while one background refresh runs for up to
// `stale_while_revalidate`, and served while refreshes fail for up to
// `stale_if_error`. Both stale windows count from the moment of expiry.
namespace homectl::cache {

using Duration = std::chrono::milliseconds;

struct Windows {
  Duration ttl{0};
  Duration stale_while_revalidate{0};
  Duration stale_if_error{0};

  static Windows from(const config::FetchPolicy& policy);
  // Age beyond which nothing is servable, even on error.
  Duration servable_until() const;
};

// What a request may do with an entry of a given age.
enum class Freshness {
  fresh,                  // serve it
  stale_while_revalidate, // serve it now and refresh in the background
  stale_if_error,         // refreshes are failing: serve it and keep trying in the background
  must_revalidate,        // past both serve-at-once windows: fetch first, serve it only on error
  expired,                // nothing servable
};

std::string_view to_string(Freshness freshness);

// Classifies an entry of age `age`; `refresh_failing` means the latest refresh
// since the entry was stored failed.
Freshness classify(Duration age, const Windows& windows, bool refresh_failing);

// True when an entry of this age may still be served because refreshing failed.
bool servable_on_error(Duration age, const Windows& windows);

} // namespace homectl::cache
