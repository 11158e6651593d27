#pragma once

#include "homectl/daemon/request_metrics.hpp"
#include "homectl/daemon/server_state.hpp"
#include "homectl/http/inbound_limiter.hpp"
#include "homectl/http/message.hpp"
#include "homectl/http/router.hpp"
#include "homectl/metrics/registry.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// The transport-neutral request pipeline: admit (421 for a Host that does not
// name this server, 403 for a cross-site request that changes state), route
// (404/405), rate-limit (429), authorise (401), run the handler (500 if it
// throws), then count and log.
// Sessions feed it parsed requests; tests feed it in-memory ones.
namespace homectl::daemon {

class Dispatcher {
public:
  Dispatcher(const http::Router& router, ServerState& state, http::InboundLimiter& limiter,
             HttpMetrics& metrics);

  // Answers one request; never throws. `endpoint` receives the route template
  // (or k_unmatched) for metrics and the access log.
  boost::asio::awaitable<http::Response> dispatch(const http::Request& request,
                                                  std::string_view& endpoint) const;

  // Counts one answered request and writes its access-log line when log.access asks.
  void record(std::string_view endpoint, http::Method method, int status, std::size_t bytes,
              std::chrono::nanoseconds latency) const;

private:
  http::Response route_error(const http::Request& request, const http::Match& match) const;
  std::optional<http::Response> refusal(const http::Request& request,
                                        const config::ServerConfig& server) const;

  const http::Router& m_router;
  ServerState& m_state;
  http::InboundLimiter& m_limiter;
  HttpMetrics& m_metrics;
  mutable RequestMetrics m_request_metrics;
  std::string m_machine_name; // gethostname(), for the Host check
};

} // namespace homectl::daemon
