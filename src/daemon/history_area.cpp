#include "homectl/daemon/history_area.hpp"

#include "homectl/config/values.hpp"
#include "homectl/daemon/server_core.hpp"
#include "homectl/log/logger.hpp"
#include "homectl/util/strings.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace homectl::daemon {
namespace {

namespace asio = boost::asio;
using nlohmann::json;
using std::chrono::milliseconds;

constexpr std::size_t k_max_points = 100'000;

// A client's text quoted in an error, cut short (the answer is JSON, which
// escapes the rest).
std::string shown(std::string_view text) {
  constexpr std::size_t k_max_shown = 64;
  return text.size() <= k_max_shown ? std::string(text)
                                    : std::string(text.substr(0, k_max_shown)) + "...";
}

metrics::HistoryLimits limits_of(const config::HistoryConfig& settings) {
  return metrics::HistoryLimits{settings.interval, settings.intervals(), settings.max_size};
}

json labels_json(const metrics::SeriesId& id) {
  json labels = json::object();
  for (const auto& [name, value] : id.labels) {
    labels[name] = value;
  }
  return labels;
}

// Readings are kept as 32-bit floats: shown with the 7 significant digits a
// float holds, not the noise digits of its exact double value.
json number_or_null(std::optional<double> value) {
  if (!value || !std::isfinite(*value)) {
    return nullptr;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.7g", *value);
  return std::strtod(text, nullptr);
}

// Whole seconds as an integer, else a fraction.
json seconds_json(milliseconds d) {
  if (d.count() % 1000 == 0) {
    return d.count() / 1000;
  }
  return static_cast<double>(d.count()) / 1000.0;
}

json list_json(const metrics::History* history, const config::HistoryConfig& settings) {
  json series = json::array();
  if (history != nullptr) {
    for (const auto& [id, ranged] : history->list()) {
      const auto* kind = metrics::find_series_kind(id.name);
      series.push_back({{"name", id.name},
                        {"labels", labels_json(id)},
                        {"unit", kind ? kind->unit : ""},
                        {"help", kind ? kind->help : ""}});
    }
  }
  return {
      {"enabled", history != nullptr},
      {"interval_s", seconds_json(settings.interval)},
      {"retention_s", seconds_json(settings.interval * static_cast<long>(settings.intervals()))},
      {"bytes", history ? history->bytes() : 0},
      {"series", std::move(series)}};
}

json series_json(const metrics::SeriesData& data) {
  json points = json::array();
  for (const auto& p : data.points) {
    json point = {p.unix_s, number_or_null(p.value)};
    if (data.ranged) {
      point.push_back(number_or_null(p.min));
      point.push_back(number_or_null(p.max));
    }
    points.push_back(std::move(point));
  }
  const auto* kind = metrics::find_series_kind(data.id.name);
  return {{"name", data.id.name},
          {"labels", labels_json(data.id)},
          {"unit", kind ? kind->unit : ""},
          {"step_s", data.step_s},
          {"points", std::move(points)}};
}

// A duration query parameter ("24h"), or a 400 answer naming it.
std::optional<http::Response> read_duration(const http::Request& request, std::string_view name,
                                            milliseconds& out) {
  const auto text = request.query_param(name);
  if (!text) {
    return std::nullopt;
  }
  const auto parsed = config::parse_duration(*text);
  if (!parsed || parsed->count() <= 0) {
    return http::Response::problem(
        400, "Invalid " + std::string(name),
        "query parameter " + std::string(name) + "=\"" + shown(*text) +
            "\" is not a positive duration such as \"30m\", \"24h\" or \"7d\"");
  }
  out = *parsed;
  return std::nullopt;
}

std::optional<http::Response> unknown_parameter(const http::Request& request) {
  static const std::set<std::string, std::less<>> known{"series", "source", "value", "since",
                                                        "step"};
  for (const auto& pair : util::split(request.query, '&')) {
    const auto name = std::string_view(pair).substr(0, std::string_view(pair).find('='));
    if (!name.empty() && !known.contains(name)) {
      return http::Response::problem(400, "Unknown parameter",
                                     "query parameter \"" + shown(name) +
                                         "\" is not one of series, source, value, since, step");
    }
  }
  return std::nullopt;
}

http::Response answer(const ServerCore& core, const metrics::History* history,
                      const http::Request& request) {
  const auto config = core.state.config();
  if (auto bad = unknown_parameter(request)) {
    return std::move(*bad);
  }
  const auto series = request.query_param("series");
  if (!series) {
    return http::Response::json(200, list_json(history, config->history));
  }
  if (history == nullptr) {
    return http::Response::problem(404, "History is off",
                                   "history.enabled is false: nothing is recorded");
  }
  if (metrics::find_series_kind(*series) == nullptr) {
    std::vector<std::string> names;
    for (const auto& kind : metrics::series_kinds()) {
      names.emplace_back(kind.name);
    }
    std::string detail = "no series named \"" + shown(*series) + "\"";
    if (const auto guess = util::did_you_mean(*series, names)) {
      detail += "; did you mean \"" + *guess + "\"?";
    }
    return http::Response::problem(404, "Unknown series", detail);
  }
  metrics::HistoryQuery query{*series, {}, milliseconds{0}, milliseconds{0}, k_max_points};
  if (const auto source = request.query_param("source")) {
    if (config->find_source(*source) == nullptr) {
      return http::Response::problem(404, "Unknown source",
                                     "no source named '" + shown(*source) + "'");
    }
    query.labels["source"] = *source;
  }
  if (const auto value = request.query_param("value")) {
    query.labels["value"] = *value;
  }
  if (auto bad = read_duration(request, "since", query.since)) {
    return std::move(*bad);
  }
  if (auto bad = read_duration(request, "step", query.step)) {
    return std::move(*bad);
  }
  json out = json::array();
  for (const auto& data : history->query(query, core.state.clock().wall())) {
    out.push_back(series_json(data));
  }
  return http::Response::json(200, json{{"series", std::move(out)}});
}

} // namespace

HistoryArea::HistoryArea(asio::io_context& io, ServerCore& core)
    : m_core(core), m_strand(asio::make_strand(io)), m_timer(m_strand) {}

void HistoryArea::start() {
  asio::post(m_strand, [self = shared_from_this()] {
    self->reconfigure_on_strand(*self->m_core.state.config());
  });
}

void HistoryArea::reconfigure(const config::Config& next) {
  asio::post(m_strand, [self = shared_from_this(), next = std::make_shared<config::Config>(next)] {
    self->reconfigure_on_strand(*next);
  });
}

void HistoryArea::reconfigure_on_strand(const config::Config& next) {
  const auto& settings = next.history;
  const bool changed = !m_configured || settings != m_settings;
  m_settings = settings;
  m_configured = true;
  if (changed) {
    auto history = settings.enabled ? std::make_shared<metrics::History>(limits_of(settings))
                                    : std::shared_ptr<metrics::History>{};
    m_history.store(std::move(history));
    m_last = m_core.metrics.snapshot();
    m_last_at = std::chrono::steady_clock::now();
    m_extremes.take();
    m_timer.cancel(); // a waiting run() starts over with the new interval
    if (settings.enabled && !m_running) {
      m_running = true;
      asio::co_spawn(m_strand, run(), asio::detached);
    }
    return;
  }
  // The same history: drop the series of sources and values that are gone.
  if (const auto history = m_history.load()) {
    history->retain([&next](const metrics::SeriesId& id) {
      const auto source = id.label("source");
      if (source.empty()) {
        return true;
      }
      const auto* config = next.find_source(std::string(source));
      const auto value = id.label("value");
      return config != nullptr && (value.empty() || config->values.contains(std::string(value)));
    });
  }
}

asio::awaitable<void> HistoryArea::run() {
  const auto self = shared_from_this();
  while (m_settings.enabled) {
    const auto interval = m_settings.interval.count();
    const auto wall_ms =
        std::chrono::duration_cast<milliseconds>(m_core.state.clock().wall().time_since_epoch())
            .count();
    const auto boundary = (wall_ms / interval + 1) * interval;
    m_timer.expires_after(milliseconds(boundary - wall_ms));
    boost::system::error_code ec;
    co_await m_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !m_settings.enabled || m_settings.interval.count() != interval) {
      continue; // reconfigured while waiting: wait again with the new settings
    }
    record_interval(std::chrono::system_clock::time_point(milliseconds(boundary - interval)));
  }
  m_running = false;
}

void HistoryArea::record_interval(std::chrono::system_clock::time_point start) {
  const auto history = m_history.load();
  if (!history) {
    return;
  }
  auto snapshot = m_core.metrics.snapshot();
  const auto now = std::chrono::steady_clock::now();
  const double window_s = std::chrono::duration<double>(now - m_last_at).count();
  const auto config = m_core.state.config();
  metrics::SourceValues sources;
  for (const auto& source : config->sources) {
    auto& names = sources[source.name];
    for (const auto& [name, pointer] : source.values) {
      names.push_back(name);
    }
  }
  const double now_unix_s =
      std::chrono::duration<double>(m_core.state.clock().wall().time_since_epoch()).count();
  history->record(start, metrics::sample_interval(snapshot, m_last, window_s, now_unix_s, sources,
                                                  m_extremes.take()));
  m_last = std::move(snapshot);
  m_last_at = now;
}

std::shared_ptr<HistoryArea> install_history(asio::io_context& io, ServerCore& core) {
  auto area = std::make_shared<HistoryArea>(io, core);
  const std::weak_ptr<HistoryArea> weak = area;
  auto* c = &core;
  core.router.add({.method = http::Method::get,
                   .pattern = "/v1/history",
                   .route_class = http::RouteClass::read,
                   .handler = [c, weak](const http::Request& request, const http::RouteParams&)
                       -> asio::awaitable<http::Response> {
                     const auto live = weak.lock();
                     const auto history = live ? live->history() : nullptr;
                     auto response = answer(*c, history.get(), request);
                     response.set_header("Cache-Control", "no-store");
                     co_return response;
                   },
                   .summary = "In-memory history"});
  core.metric_samples.push_back(
      core.metrics
          .sampled_gauge("homectl_history_bytes",
                         "Memory held by the in-memory history (GET /v1/history).")
          .add({}, [weak]() -> std::optional<double> {
            const auto live = weak.lock();
            const auto history = live ? live->history() : nullptr;
            return history ? static_cast<double>(history->bytes()) : 0.0;
          }));
  core.reload_hooks.push_back([weak](const config::Config&, const config::Config& next) {
    if (const auto live = weak.lock()) {
      live->reconfigure(next);
    }
  });
  area->start();
  return area;
}

} // namespace homectl::daemon
