#include "homectl/sources/routes.hpp"

#include "homectl/cache/windows.hpp"
#include "homectl/resilience/circuit_breaker.hpp"
#include "homectl/sources/format.hpp"
#include "homectl/util/strings.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace homectl::sources {
namespace {

using nlohmann::json;

http::Response unknown_source(std::string_view name, const Service& service) {
  std::vector<std::string> names;
  for (const auto& view : service.sources()) {
    names.push_back(view.name);
  }
  std::string detail = "no source named '" + std::string(name) + "'";
  if (const auto guess = util::did_you_mean(name, names)) {
    detail += "; did you mean '" + *guess + "'?";
  }
  return http::Response::problem(404, "Unknown source", detail);
}

// If-None-Match (RFC 9110 §13.1.2): weak comparison, "*" matches any entry.
bool none_match(std::string_view header, std::string_view etag) {
  if (header.empty()) {
    return false;
  }
  for (auto& candidate : util::split(header, ',')) {
    std::string_view tag = util::trim(candidate);
    if (tag == "*") {
      return true;
    }
    if (tag.starts_with("W/")) {
      tag.remove_prefix(2);
    }
    if (tag == etag) {
      return true;
    }
  }
  return false;
}

// Last-Modified for an entry: formatted once per fetch time and thread, not
// per request (a cached GET is otherwise dominated by date formatting).
const std::string& last_modified(std::chrono::system_clock::time_point fetched_wall) {
  thread_local std::optional<std::chrono::system_clock::time_point> cached_at;
  thread_local std::string cached;
  if (cached_at != fetched_wall) {
    cached = format_http_date(fetched_wall);
    cached_at = fetched_wall;
  }
  return cached;
}

json time_or_null(const std::optional<std::chrono::system_clock::time_point>& at) {
  return at ? json(format_rfc3339(*at)) : json(nullptr);
}

json view_json(const SourceView& view) {
  json values = json::object();
  for (const auto& [name, number] : view.values) {
    values[name] = number;
  }
  json item = {{"name", view.name},
               {"url", view.url.empty() ? json(nullptr) : json(view.url)},
               {"command", view.program.empty() ? json(nullptr) : json(view.program)},
               {"state", view.state},
               {"age_s", view.age ? json(whole_seconds(*view.age)) : json(nullptr)},
               {"ttl_s", whole_seconds(view.ttl)},
               {"refresh_s", view.refresh ? json(whole_seconds(*view.refresh)) : json("off")},
               {"required", view.required},
               {"etag", view.etag.empty() ? json(nullptr) : json(view.etag)},
               {"last_success", time_or_null(view.last_success)},
               {"last_error", view.last_error_at ? json{{"message", view.last_error},
                                                        {"at", format_rfc3339(*view.last_error_at)}}
                                                 : json(nullptr)},
               {"breaker", resilience::to_string(view.breaker)},
               {"next_refresh", time_or_null(view.next_refresh)},
               {"values", std::move(values)}};
  return item;
}

boost::asio::awaitable<http::Response> list_sources(Service& service) {
  json sources = json::array();
  for (const auto& view : service.sources()) {
    sources.push_back(view_json(view));
  }
  co_return http::Response::json(200, json{{"sources", std::move(sources)}});
}

boost::asio::awaitable<http::Response> get_source(Service& service, const http::Request& request,
                                                  std::string name) {
  const auto lookup = co_await service.get(name);
  auto response = serve_lookup(request, lookup, name, service);
  // An upstream body is data, never active content on the status page's
  // origin: no type sniffing, and a browser that renders it anyway runs it
  // in a sandbox without scripts or same-origin access.
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Content-Security-Policy", "sandbox");
  co_return response;
}

boost::asio::awaitable<http::Response>
refresh_source(Service& service, const http::Request& request, std::string name) {
  std::optional<Duration> wait;
  if (const auto text = request.query_param("wait")) {
    wait = parse_wait(*text);
    if (!wait) {
      co_return http::Response::problem(400, "Invalid wait",
                                        "query parameter wait=\"" + *text +
                                            "\" is not a duration up to 1h (e.g. 5s, 500ms, 1m)");
    }
  }
  const auto trigger = co_await service.refresh(name, wait);
  if (!trigger.known) {
    co_return unknown_source(name, service);
  }
  if (!trigger.report) {
    json body = {{"source", name}, {"state", "refreshing"}};
    co_return http::Response::json(202, body);
  }
  const auto& report = *trigger.report;
  json body = {{"source", name},
               {"outcome", to_string(report.outcome)},
               {"status", report.status},
               {"duration_ms", report.duration.count()},
               {"changed", report.changed}};
  if (!report.error.empty()) {
    body["error"] = report.error;
  }
  co_return http::Response::json(200, body);
}

boost::asio::awaitable<http::Response> source_history(Service& service, std::string name) {
  const auto entries = service.history(name);
  if (!entries) {
    co_return unknown_source(name, service);
  }
  json items = json::array();
  for (const auto& entry : *entries) {
    json item = {{"at", format_rfc3339(entry.at)},
                 {"duration_ms", entry.duration_ms},
                 {"status", entry.status},
                 {"outcome", to_string(entry.outcome)}};
    if (!entry.error.empty()) {
      item["error"] = entry.error;
    }
    items.push_back(std::move(item));
  }
  co_return http::Response::json(200, json{{"source", name}, {"entries", std::move(items)}});
}

} // namespace

std::string cache_status(const Lookup& lookup) {
  switch (lookup.kind) {
  case LookupKind::hit:
  case LookupKind::stale: {
    std::string status =
        "homectl; hit; ttl=" + std::to_string(whole_seconds(lookup.ttl - lookup.age));
    if (lookup.kind == LookupKind::stale) {
      status += "; detail=";
      status += cache::to_string(lookup.freshness);
    }
    return status;
  }
  case LookupKind::stored:
  case LookupKind::collapsed:
    return std::string("homectl; fwd=") + (lookup.replaced_stale ? "stale" : "miss") +
           (lookup.kind == LookupKind::collapsed ? "; collapsed" : "; stored");
  case LookupKind::unknown_source:
  case LookupKind::unavailable:
    break;
  }
  return "homectl; fwd=miss";
}

Unavailable unavailable(const Lookup& lookup, std::string_view name) {
  const std::string source = "source '" + std::string(name) + "': ";
  Unavailable answer;
  answer.retry_after = lookup.retry_after;
  if (!lookup.failure) {
    answer.status = 504;
    answer.title = "Upstream timed out";
    answer.detail = source + "no answer from upstream within " +
                    std::to_string(lookup.waited.count()) + " ms; the fetch continues";
    return answer;
  }
  switch (*lookup.failure) {
  case FetchOutcome::timeout:
    answer.status = 504;
    answer.title = "Upstream timed out";
    answer.detail = source + "upstream timed out";
    return answer;
  case FetchOutcome::breaker_open:
  case FetchOutcome::rate_limited:
    answer.status = 503;
    answer.title = "Source unavailable";
    answer.detail = source + (*lookup.failure == FetchOutcome::breaker_open
                                  ? "circuit breaker open after repeated upstream failures"
                                  : "outbound rate limit reached");
    if (!answer.retry_after) {
      answer.retry_after = std::chrono::seconds(1);
    }
    return answer;
  case FetchOutcome::ok:
  case FetchOutcome::not_modified:
  case FetchOutcome::error:
    break;
  }
  answer.title = "Upstream failed";
  answer.detail = source + "upstream failed" + (lookup.error.empty() ? "" : ": " + lookup.error);
  return answer;
}

http::Response serve_lookup(const http::Request& request, const Lookup& lookup,
                            std::string_view name, const Service& service) {
  if (lookup.kind == LookupKind::unknown_source) {
    return unknown_source(name, service);
  }
  if (lookup.kind == LookupKind::unavailable || !lookup.entry) {
    const auto answer = unavailable(lookup, name);
    auto response = http::Response::problem(answer.status, answer.title, answer.detail);
    if (answer.retry_after) {
      response.set_header("Retry-After", std::to_string(answer.retry_after->count()));
    }
    response.set_header("Cache-Status",
                        "homectl; fwd=miss; fwd-status=" + std::to_string(answer.status));
    return response;
  }
  const auto& entry = *lookup.entry;
  http::Response response;
  response.headers.reserve(6);
  if (none_match(request.header("If-None-Match"), entry.etag)) {
    response.status = 304;
  } else {
    response.headers.push_back({"Content-Type", entry.content_type});
    response.body = entry.body;
  }
  const auto remaining = lookup.ttl - lookup.age;
  response.headers.push_back({"ETag", entry.etag});
  response.headers.push_back({"Age", std::to_string(std::max(0LL, whole_seconds(lookup.age)))});
  response.headers.push_back({"Last-Modified", last_modified(entry.fetched_wall)});
  response.headers.push_back(
      {"Cache-Control", "max-age=" + std::to_string(std::max(0LL, whole_seconds(remaining)))});
  response.headers.push_back({"Cache-Status", cache_status(lookup)});
  return response;
}

void register_routes(http::Router& router, Service& service) {
  router.add(
      {http::Method::get, "/v1/sources", http::RouteClass::read, false,
       [&service](const http::Request&, const http::RouteParams&) { return list_sources(service); },
       "every source with its state"});
  router.add({http::Method::get, "/v1/sources/{name}", http::RouteClass::read, false,
              [&service](const http::Request& request, const http::RouteParams& params) {
                return get_source(service, request, std::string(params.get("name")));
              },
              "the cached body of one source"});
  router.add({http::Method::post, "/v1/sources/{name}/refresh", http::RouteClass::refresh, true,
              [&service](const http::Request& request, const http::RouteParams& params) {
                return refresh_source(service, request, std::string(params.get("name")));
              },
              "refresh one source now (coalesced)"});
  router.add({http::Method::get, "/v1/sources/{name}/history", http::RouteClass::read, false,
              [&service](const http::Request&, const http::RouteParams& params) {
                return source_history(service, std::string(params.get("name")));
              },
              "the last 60 fetch outcomes of one source"});
  router.add(events_route(service));
}

void register_health(health::Checks& checks, Service& service) {
  checks.add(
      "sources", [&service] { return service.health_checks(); }, true);
}

} // namespace homectl::sources
