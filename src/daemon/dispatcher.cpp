#include "homectl/daemon/dispatcher.hpp"

#include "homectl/daemon/access_log.hpp"
#include "homectl/http/host_policy.hpp"
#include "homectl/log/logger.hpp"
#include "homectl/util/strings.hpp"

#include <boost/asio/ip/host_name.hpp>

#include <string>

namespace homectl::daemon {
namespace {

constexpr std::string_view k_bearer = "Bearer ";

// Constant-time check of "Authorization: Bearer <token>".
bool authorised(const http::Request& request, const std::string& token) {
  const std::string_view value = request.header("Authorization");
  if (value.size() < k_bearer.size() ||
      !util::to_lower(std::string(value.substr(0, k_bearer.size())))
           .starts_with(util::to_lower(std::string(k_bearer)))) {
    return false;
  }
  return util::constant_time_equal(value.substr(k_bearer.size()), token);
}

http::Response unauthorised() {
  auto response = http::Response::problem(
      401, "Unauthorized", "this route needs 'Authorization: Bearer <server.api_token>'");
  response.set_header("WWW-Authenticate", "Bearer realm=\"homectl\"");
  return response;
}

// Methods that only read: a cross-site page may cause them but not read the answer.
bool safe(http::Method method) {
  return method == http::Method::get || method == http::Method::head ||
         method == http::Method::options;
}

std::string machine_name() {
  boost::system::error_code ec;
  auto name = boost::asio::ip::host_name(ec);
  return ec ? std::string() : name;
}

std::string_view class_label(http::RouteClass route_class) {
  return route_class == http::RouteClass::refresh ? "refresh" : "default";
}

} // namespace

Dispatcher::Dispatcher(const http::Router& router, ServerState& state,
                       http::InboundLimiter& limiter, HttpMetrics& metrics)
    : m_router(router), m_state(state), m_limiter(limiter), m_metrics(metrics),
      m_request_metrics(metrics, router), m_machine_name(machine_name()) {}

std::optional<http::Response> Dispatcher::refusal(const http::Request& request,
                                                  const config::ServerConfig& server) const {
  const auto host = request.header("Host");
  if (!http::host_allowed(host, server.allowed_hosts, m_machine_name)) {
    constexpr std::size_t k_shown = 100;
    return http::Response::problem(421, "Misdirected Request",
                                   "this server does not answer to Host \"" +
                                       std::string(host.substr(0, k_shown)) +
                                       "\"; add the name to server.allowed_hosts to allow it");
  }
  if (!safe(request.method) && http::cross_site(request)) {
    return http::Response::problem(
        403, "Forbidden",
        "cross-site requests may not change state (Origin or Sec-Fetch-Site names another site)");
  }
  return std::nullopt;
}

http::Response Dispatcher::route_error(const http::Request& request,
                                       const http::Match& match) const {
  const std::string what = std::string(http::to_string(request.method)) + " " + request.path;
  if (match.allowed.empty()) {
    return http::Response::problem(404, "Not Found", "no route for " + what);
  }
  std::string allow;
  for (auto method : match.allowed) {
    allow += (allow.empty() ? "" : ", ") + std::string(http::to_string(method));
  }
  auto response = http::Response::problem(405, "Method Not Allowed",
                                          what + " is not allowed; allowed: " + allow);
  response.set_header("Allow", allow);
  return response;
}

boost::asio::awaitable<http::Response> Dispatcher::dispatch(const http::Request& request,
                                                            std::string_view& endpoint) const {
  endpoint = k_unmatched;
  const auto config = m_state.config();
  if (auto refused = refusal(request, config->server)) {
    co_return std::move(*refused);
  }
  const auto match = m_router.match(request.method, request.path);
  if (match.route == nullptr) {
    if (!match.allowed.empty()) {
      endpoint = match.pattern; // a 405 is counted under the route it missed
    }
    co_return route_error(request, match);
  }
  const auto& route = *match.route;
  endpoint = route.pattern;

  if (route.route_class != http::RouteClass::probe) {
    const auto decision = m_limiter.check(request.client_key, route.route_class);
    if (decision.limited) {
      m_metrics.rate_limited.with({class_label(route.route_class)}).inc();
      co_return http::too_many_requests(decision);
    }
  }

  const auto& token = config->server.api_token;
  if (!token.empty() && (route.needs_auth || route.method == http::Method::post) &&
      !authorised(request, token)) {
    co_return unauthorised();
  }

  // A throwing handler is a bug; the client gets a 500 and the connection lives on.
  try {
    co_return co_await route.handler(request, match.params);
  } catch (const std::exception& e) {
    log::error("request handler failed", {{"endpoint", route.pattern}, {"error", e.what()}});
  } catch (...) {
    log::error("request handler failed", {{"endpoint", route.pattern}, {"error", "unknown"}});
  }
  co_return http::Response::problem(500, "Internal Server Error",
                                    "the handler for " + route.pattern + " failed");
}

void Dispatcher::record(std::string_view endpoint, http::Method method, int status,
                        std::size_t bytes, std::chrono::nanoseconds latency) const {
  const double seconds = std::chrono::duration<double>(latency).count();
  m_request_metrics.count(endpoint, method, status, seconds);
  const auto config = m_state.config();
  if (should_log(config->log, status, latency)) {
    log::info("request", {{"endpoint", endpoint},
                          {"method", http::to_string(method)},
                          {"status", status},
                          {"latency_ms", seconds * 1000.0},
                          {"outcome", outcome_of(status)},
                          {"bytes", bytes}});
  }
}

} // namespace homectl::daemon
