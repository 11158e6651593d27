// The server's own endpoints: probes, metrics, diagnostics and the API description.
#include "homectl/build_info.hpp"
#include "homectl/config/loader.hpp"
#include "homectl/daemon/process_stats.hpp"
#include "homectl/daemon/server_core.hpp"
#include "homectl/http/openapi.hpp"
#include "homectl/log/logger.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <mutex>

namespace homectl::daemon {
namespace {

using boost::asio::awaitable;

constexpr std::string_view k_health_type = "application/health+json";

http::Response no_store(http::Response response) {
  response.set_header("Cache-Control", "no-store");
  return response;
}

// The health document: the report plus version, service, time and uptime.
nlohmann::json health_document(const ServerCore& core, const health::Report& report) {
  auto doc = report.to_json();
  doc["version"] = build::k_version;
  doc["serviceId"] = "homectl";
  const auto now = log::rfc3339_now();
  doc["time"] = now;
  doc["checks"]["uptime"] = nlohmann::json::array({{{"componentType", "system"},
                                                    {"observedValue", core.state.uptime_seconds()},
                                                    {"observedUnit", "s"},
                                                    {"status", "pass"},
                                                    {"time", now}}});
  return doc;
}

http::Response health_response(const ServerCore& core, bool readiness) {
  const auto report = core.checks.evaluate(readiness);
  const int status = report.status == health::Status::fail ? 503 : 200;
  return no_store(
      http::Response::json(status, health_document(core, report), std::string(k_health_type)));
}

void add_process_metrics(ServerCore& core) {
  auto& registry = core.metrics;
  registry.gauge("homectl_build_info", "Build information (always 1).", {"version"})
      .with({build::k_version})
      .set(1);
  registry.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch.")
      .get()
      .set(std::chrono::duration<double>(core.state.started_wall().time_since_epoch()).count());
  auto& resident =
      registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.").get();
  auto& cpu =
      registry.counter("process_cpu_seconds_total", "User and system CPU time in seconds.").get();
  auto& open_fds = registry.gauge("process_open_fds", "Open file descriptors.").get();
  auto& max_fds = registry.gauge("process_max_fds", "Maximum open file descriptors.").get();

  // One read of /proc per scrape for all four. The CPU counter only grows:
  // add what was used since the previous scrape.
  auto cpu_seen = std::make_shared<std::pair<std::mutex, double>>();
  core.metric_samples.push_back(
      registry.on_collect([cpu_seen, &resident, &cpu, &open_fds, &max_fds] {
        const auto stats = read_process_stats();
        if (!stats) {
          return;
        }
        resident.set(stats->resident_memory_bytes);
        open_fds.set(stats->open_fds);
        max_fds.set(stats->max_fds);
        std::lock_guard lock(cpu_seen->first);
        if (stats->cpu_seconds > cpu_seen->second) {
          cpu.inc(stats->cpu_seconds - cpu_seen->second);
          cpu_seen->second = stats->cpu_seconds;
        }
      }));
}

// What happens to client connections, and to the log: each sample is read at
// scrape time from the total the listener, the sessions or the logger keep.
void add_connection_metrics(ServerCore& core) {
  auto& registry = core.metrics;
  auto& samples = core.metric_samples;
  const ServerState* state = &core.state;
  const auto read = [](const auto& total) {
    return [&total] { return static_cast<double>(total.load()); };
  };
  samples.push_back(registry.sampled_gauge("homectl_http_connections", "Open client connections.")
                        .add({}, read(state->connections)));
  samples.push_back(
      registry.sampled_gauge("homectl_http_requests_in_flight", "Requests being answered.")
          .add({}, read(state->in_flight)));
  samples.push_back(registry
                        .sampled_counter("homectl_http_connections_accepted_total",
                                         "Client connections accepted.")
                        .add({}, read(state->accepted_connections)));
  samples.push_back(registry
                        .sampled_counter("homectl_http_connections_refused_total",
                                         "Connections answered 503 at once because "
                                         "server.max_connections were open.")
                        .add({}, read(state->refused_connections)));
  samples.push_back(registry
                        .sampled_counter("homectl_http_accept_errors_total",
                                         "Failed accepts (e.g. out of file descriptors); "
                                         "accepting pauses briefly after each.")
                        .add({}, read(state->accept_errors)));
  auto& timeouts = registry.sampled_counter(
      "homectl_http_connection_timeouts_total",
      "Connections closed because the client was too slow: idle keep-alive, request header, "
      "request body or response write.",
      {"phase"});
  samples.push_back(timeouts.add({"idle"}, read(state->idle_timeouts)));
  samples.push_back(timeouts.add({"header"}, read(state->header_timeouts)));
  samples.push_back(timeouts.add({"body"}, read(state->body_timeouts)));
  samples.push_back(timeouts.add({"write"}, read(state->write_timeouts)));
  samples.push_back(registry
                        .sampled_counter("homectl_log_records_dropped_total",
                                         "Log records dropped because the log's reader fell "
                                         "behind (queue full) or a write failed (disk full, "
                                         "closed pipe).")
                        .add({}, [] { return static_cast<double>(log::dropped_records()); }));
}

nlohmann::json diagnostics(const ServerCore& core) {
  const auto config = core.state.config();
  nlohmann::json doc = {
      {"build",
       {{"version", build::k_version},
        {"compiler", build::k_compiler},
        {"build_type", build::k_build_type}}},
      {"pid", static_cast<long long>(::getpid())},
      {"uptime_s", core.state.uptime_seconds()},
      {"draining", core.state.draining()},
      {"threads", config->server.threads},
      {"connections",
       {{"open", core.state.connections.load()},
        {"in_flight", core.state.in_flight.load()},
        {"streams", core.state.streams.load()},
        {"max", config->server.max_connections},
        {"refused_total", core.state.refused_connections.load()}}},
      {"limiter", core.limiter.state()},
      {"routes", nlohmann::json::array()},
  };
  for (const auto& route : core.router.routes()) {
    doc["routes"].push_back(std::string(http::to_string(route.method)) + " " + route.pattern);
  }
  doc["config"] = config::to_json(*config, true);
  return doc;
}

// The server's own health check: failing while it drains.
void add_server_check(ServerCore& core) {
  auto* c = &core;
  core.checks.add("server", [c] {
    health::Check check;
    check.key = "server:draining";
    check.component_type = "component";
    if (c->state.draining()) {
      check.status = health::Status::fail;
      check.output = "shutting down: no new work is accepted";
    }
    return std::vector<health::Check>{check};
  });
}

} // namespace

void add_core_endpoints(ServerCore& core) {
  auto* c = &core;
  const auto live_body = std::make_shared<const std::string>("ok\n");
  core.router.add({.method = http::Method::get,
                   .pattern = "/live",
                   .route_class = http::RouteClass::probe,
                   .handler = [live_body](const http::Request&,
                                          const http::RouteParams&) -> awaitable<http::Response> {
                     co_return http::Response::shared(200, live_body, "text/plain; charset=utf-8");
                   },
                   .summary = "Liveness"});
  core.router.add(
      {.method = http::Method::get,
       .pattern = "/ready",
       .route_class = http::RouteClass::probe,
       .handler = [c](const http::Request&, const http::RouteParams&) -> awaitable<http::Response> {
         co_return health_response(*c, true);
       },
       .summary = "Readiness"});
  core.router.add(
      {.method = http::Method::get,
       .pattern = "/health",
       .route_class = http::RouteClass::probe,
       .handler = [c](const http::Request&, const http::RouteParams&) -> awaitable<http::Response> {
         co_return health_response(*c, false);
       },
       .summary = "Health report"});
  core.router.add(
      {.method = http::Method::get,
       .pattern = "/metrics",
       .route_class = http::RouteClass::probe,
       .handler = [c](const http::Request&, const http::RouteParams&) -> awaitable<http::Response> {
         co_return no_store(
             http::Response::text(200, c->metrics.render(), std::string(metrics::k_content_type)));
       },
       .summary = "Prometheus metrics"});
  core.router.add(
      {.method = http::Method::get,
       .pattern = "/diagnostics",
       .route_class = http::RouteClass::read,
       .needs_auth = true,
       .handler = [c](const http::Request&, const http::RouteParams&) -> awaitable<http::Response> {
         co_return no_store(http::Response::json(200, diagnostics(*c)));
       },
       .summary = "Diagnostics"});
  core.router.add(
      {.method = http::Method::get,
       .pattern = "/openapi.json",
       .route_class = http::RouteClass::read,
       .handler = [](const http::Request&, const http::RouteParams&) -> awaitable<http::Response> {
         co_return http::Response::shared(200, http::openapi_text(), "application/json");
       },
       .summary = "OpenAPI document"});

  add_server_check(core);
  add_process_metrics(core);
  add_connection_metrics(core);
}

} // namespace homectl::daemon
