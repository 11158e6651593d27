#pragma once

#include "homectl/health/checks.hpp"
#include "homectl/http/router.hpp"
#include "homectl/sources/service.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// The sources HTTP API, wired by the daemon's composition root.
namespace homectl::sources {

// Adds GET /v1/sources, GET /v1/sources/{name}, POST /v1/sources/{name}/refresh
// (route class refresh, needs auth), GET /v1/sources/{name}/history and
// GET /v1/events (SSE). `service` must outlive the router.
void register_routes(http::Router& router, Service& service);

// Adds the "sources" readiness provider (one check per source; /health lists
// them all). `service` must outlive `checks`.
void register_health(health::Checks& checks, Service& service);

// Cache-Status (RFC 9211) of a served lookup: a hit with the ttl left, a
// stale read with its window, or the forward that fetched it.
std::string cache_status(const Lookup& lookup);

// The answer to a lookup with nothing servable: 504 when the upstream timed
// out or did not answer in time, 503 with Retry-After while the breaker is
// open or the outbound rate limit holds, 502 when the upstream failed.
struct Unavailable {
  int status = 502;
  std::string_view title;
  std::string detail;
  std::optional<std::chrono::seconds> retry_after;
};
Unavailable unavailable(const Lookup& lookup, std::string_view name);

// The route handlers, exposed for the routes above and for tests.
http::Response serve_lookup(const http::Request& request, const Lookup& lookup,
                            std::string_view name, const Service& service);
http::Route events_route(Service& service);

} // namespace homectl::sources
