#pragma once

#include "homectl/health/checks.hpp"
#include "homectl/http/router.hpp"
#include "homectl/sources/service.hpp"

// The sources HTTP API, wired by the daemon's composition root.
namespace homectl::sources {

// Adds GET /v1/sources, GET /v1/sources/{name}, POST /v1/sources/{name}/refresh
// (route class refresh, needs auth), GET /v1/sources/{name}/history and
// GET /v1/events (SSE). `service` must outlive the router.
void register_routes(http::Router& router, Service& service);

// Adds the "sources" readiness provider (one check per source; /health lists
// them all). `service` must outlive `checks`.
void register_health(health::Checks& checks, Service& service);

// The route handlers, exposed for the routes above and for tests.
http::Response serve_lookup(const http::Request& request, const Lookup& lookup,
                            std::string_view name, const Service& service);
http::Route events_route(Service& service);

} // namespace homectl::sources
