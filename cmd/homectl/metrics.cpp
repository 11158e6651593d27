#include "cli.hpp"
#include "daemon_options.hpp"

#include "homectl/client/history_view.hpp"
#include "homectl/client/http_client.hpp"
#include "homectl/client/metrics_view.hpp"
#include "homectl/client/stop_signal.hpp"
#include "homectl/config/values.hpp"
#include "homectl/metrics/prometheus_text.hpp"
#include "homectl/util/json.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

namespace homectl::cli {
namespace {

struct MetricsOptions {
  DaemonFlags daemon;
  std::string timeout = "2s";
  std::string format = "table";
  std::string watch;   // empty = once; otherwise the redraw period
  std::string history; // empty = no; otherwise how far back (--history 24h)
  int iterations = 0;  // hidden, for tests: stop --watch after N redraws
};

struct Snapshot {
  std::string body;
  metrics::Exposition exposition;
  std::chrono::steady_clock::time_point taken;
};

Result<Snapshot> fetch(client::HttpClient& http) {
  auto outcome = http.get("/metrics", {{"Accept", "text/plain"}});
  if (!outcome) {
    return make_error(outcome.failure.message);
  }
  const auto& response = *outcome.response;
  if (response.status != 200) {
    return make_error(http.url_for("/metrics") + ": HTTP " + std::to_string(response.status));
  }
  auto parsed = metrics::parse_prometheus_text(response.body);
  if (!parsed) {
    return make_error(http.url_for("/metrics") +
                      ": malformed Prometheus text: " + parsed.error().message);
  }
  return Snapshot{response.body, std::move(parsed).value(), std::chrono::steady_clock::now()};
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Prints one snapshot in the chosen format; false (with a message) on error.
bool print(const MetricsOptions& options, const Snapshot& now, const Snapshot* before) {
  if (options.format == "prom") {
    std::cout << now.body;
    return true;
  }
  const double window =
      before == nullptr ? 0.0 : std::chrono::duration<double>(now.taken - before->taken).count();
  auto summary =
      client::summarize(now.exposition, before ? &before->exposition : nullptr, window, unix_now());
  if (!summary) {
    std::cerr << "homectl: " << summary.error().message << "\n";
    return false;
  }
  if (options.format == "json") {
    auto doc = client::to_json(*summary);
    std::cout << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << client::render_table(*summary);
  }
  return true;
}

// Redraws the summary every `period` until stopped (or after --iterations).
int watch_metrics(client::HttpClient& http, const MetricsOptions& options,
                  std::chrono::milliseconds period) {
  client::StopSignal stop;
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  std::optional<Snapshot> previous;
  for (int i = 0; options.iterations == 0 || i < options.iterations; ++i) {
    if (i > 0 && stop.wait_for(period)) {
      break;
    }
    auto snapshot = fetch(http);
    if (tty) {
      std::cout << "\033[H\033[2J"; // redraw in place
    } else if (i > 0) {
      std::cout << "\n";
    }
    if (options.format == "table") {
      std::cout << "homectl metrics  " << http.url_for("/metrics") << "  every "
                << config::format_duration(period)
                << (previous ? "  (rates over the last interval)" : "  (totals since start)")
                << "\n\n";
    }
    if (!snapshot) {
      // Keep watching: the daemon may come back (a restart shows as a counter reset).
      std::cout << "unavailable: " << snapshot.error().message << "\n";
      std::cout.flush();
      continue;
    }
    print(options, *snapshot, previous ? &*previous : nullptr);
    std::cout.flush();
    previous = std::move(snapshot).value();
  }
  return k_exit_ok;
}

// GET `target` as JSON, or an Error naming the URL and what went wrong.
Result<nlohmann::json> get_json(client::HttpClient& http, const std::string& target) {
  auto outcome = http.get(target, {{"Accept", "application/json"}});
  if (!outcome) {
    return make_error(outcome.failure.message);
  }
  const auto& response = *outcome.response;
  if (response.status != 200) {
    std::string detail;
    if (const auto problem = util::parse_json(response.body); problem && problem->is_object() &&
                                                              problem->contains("detail") &&
                                                              (*problem)["detail"].is_string()) {
      detail = ": " + (*problem)["detail"].get<std::string>();
    }
    return make_error(http.url_for(target) + ": HTTP " + std::to_string(response.status) + detail);
  }
  auto parsed = util::parse_json(response.body);
  if (!parsed) {
    return make_error(http.url_for(target) + ": not JSON: " + parsed.error().message);
  }
  return std::move(parsed).value();
}

// --history: every series the daemon keeps, as sparklines over `since`.
int show_history(client::HttpClient& http, const MetricsOptions& options,
                 std::chrono::milliseconds since) {
  constexpr int k_width = 60;
  auto list = get_json(http, "/v1/history");
  if (!list) {
    std::cerr << "homectl: " << list.error().message << "\n";
    return k_exit_failed;
  }
  if (!list->is_object() || !list->value("enabled", false)) {
    std::cerr << "homectl: the daemon keeps no history (history.enabled is false)\n";
    return k_exit_failed;
  }
  const double since_s = static_cast<double>(since.count()) / 1000.0;
  const auto step = client::step_for(since_s, list->value("interval_s", 60.0), k_width);
  std::vector<std::string> names;
  for (const auto& series : list->value("series", nlohmann::json::array())) {
    const auto name = series.is_object() ? series.value("name", "") : "";
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  std::vector<nlohmann::json> answers;
  for (const auto& name : names) {
    auto answer = get_json(http, "/v1/history?series=" + name +
                                     "&since=" + std::to_string(since.count() / 1000) +
                                     "s&step=" + std::to_string(step) + "s");
    if (!answer) {
      std::cerr << "homectl: " << answer.error().message << "\n";
      return k_exit_failed;
    }
    answers.push_back(std::move(answer).value());
  }
  if (options.format == "json") {
    nlohmann::json all = nlohmann::json::array();
    for (auto& answer : answers) {
      for (auto& series : answer.value("series", nlohmann::json::array())) {
        all.push_back(std::move(series));
      }
    }
    std::cout << nlohmann::json{{"series", std::move(all)}}.dump(
                     -1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return k_exit_ok;
  }
  auto text = client::render_history(answers);
  if (!text) {
    std::cerr << "homectl: " << text.error().message << "\n";
    return k_exit_failed;
  }
  std::cout << "homectl history  " << http.url_for("/v1/history") << "  last "
            << config::format_duration(since) << ", one character per "
            << config::format_duration(std::chrono::seconds(step)) << "\n\n"
            << *text;
  return k_exit_ok;
}

int run_metrics(const Context& ctx, const MetricsOptions& options) {
  auto config = load_client_config(ctx);
  if (!config) {
    std::cerr << "homectl: " << config.error().message << "\n";
    return k_exit_failed;
  }
  auto timeout = parse_flag_duration("--timeout", options.timeout);
  if (!timeout) {
    std::cerr << "homectl: " << timeout.error().message << "\n";
    return k_exit_usage;
  }
  std::optional<std::chrono::milliseconds> period;
  if (!options.watch.empty()) {
    auto parsed = parse_flag_duration("--watch", options.watch);
    if (!parsed || parsed->count() < 100) {
      std::cerr << "homectl: "
                << (parsed ? "--watch: the period must be at least 100ms" : parsed.error().message)
                << "\n";
      return k_exit_usage;
    }
    period = *parsed;
  }
  std::optional<std::chrono::milliseconds> since;
  if (!options.history.empty()) {
    auto parsed = parse_flag_duration("--history", options.history);
    if (!parsed || parsed->count() < 1000 || period || options.format == "prom") {
      std::cerr << "homectl: "
                << (!parsed                  ? parsed.error().message
                    : parsed->count() < 1000 ? "--history: the range must be at least 1s"
                    : period                 ? "--history and --watch cannot be combined"
                                             : "--history prints a table or JSON, not prom")
                << "\n";
      return k_exit_usage;
    }
    since = *parsed;
  }
  const auto target = client::resolve_target(*config, options.daemon.url, options.daemon.token);
  client::HttpClient http(client::ClientOptions{target.url, target.token, *timeout, *timeout});
  if (since) {
    return show_history(http, options, *since);
  }

  if (!period) {
    auto snapshot = fetch(http);
    if (!snapshot) {
      std::cerr << "homectl: " << snapshot.error().message << "\n";
      return k_exit_failed;
    }
    return print(options, *snapshot, nullptr) ? k_exit_ok : k_exit_failed;
  }

  return watch_metrics(http, options, *period);
}

} // namespace

void add_metrics(CLI::App& cmd, Context& ctx) {
  auto options = std::make_shared<MetricsOptions>();
  add_daemon_options(cmd, options->daemon);
  cmd.add_option("--timeout", options->timeout, "Connection and read timeout")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd.add_option("--format", options->format, "Output format")
      ->check(CLI::IsMember({"table", "prom", "json"}))
      ->type_name("FORMAT")
      ->capture_default_str();
  auto* watch = cmd.add_option("--watch", options->watch,
                               "Redraw every PERIOD (default 2s) with rates from deltas, until "
                               "Ctrl-C")
                    ->expected(0, 1)
                    ->type_name("[PERIOD]");
  auto* history = cmd.add_option("--history", options->history,
                                 "Show the daemon's in-memory history over RANGE (default 24h): "
                                 "one sparkline per series with min, max and last")
                      ->expected(0, 1)
                      ->type_name("[RANGE]");
  cmd.add_option("--iterations", options->iterations, "Stop --watch after N redraws")
      ->group("") // hidden: for tests
      ->check(CLI::NonNegativeNumber);
  cmd.callback([options, watch, history, &ctx] {
    if (watch->count() > 0 && options->watch.empty()) {
      options->watch = "2s";
    }
    if (history->count() > 0 && options->history.empty()) {
      options->history = "24h";
    }
    ctx.exit_code = run_metrics(ctx, *options);
  });
}

} // namespace homectl::cli
