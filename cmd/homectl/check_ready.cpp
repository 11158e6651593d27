#include "cli.hpp"
#include "daemon_options.hpp"

#include "homectl/client/readiness.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace homectl::cli {
namespace {

struct CheckReadyOptions {
  DaemonFlags daemon;
  std::string timeout = "2s";
  bool verbose = false;
  bool json = false;
};

int check_ready(const Context& ctx, const CheckReadyOptions& options) {
  const auto unknown = static_cast<int>(client::NagiosState::unknown);
  auto timeout = parse_flag_duration("--timeout", options.timeout);
  if (!timeout) {
    std::cerr << "HOMECTL UNKNOWN - " << timeout.error().message << "\n";
    return unknown;
  }
  if (timeout.value().count() <= 0) {
    std::cerr << "HOMECTL UNKNOWN - --timeout must be greater than 0\n";
    return unknown;
  }
  auto config = load_client_config(ctx);
  if (!config) {
    std::cerr << "HOMECTL UNKNOWN - " << config.error().message << "\n";
    return unknown;
  }
  const auto target = client::resolve_target(*config, options.daemon.url, options.daemon.token);
  client::HttpClient http(client::ClientOptions{target.url, target.token, *timeout, *timeout});
  const auto probe = client::probe_ready(http);
  const auto line = client::nagios_line(probe);
  if (options.json) {
    if (probe.report) {
      std::cout << probe.report->body;
      if (!probe.report->body.ends_with('\n')) {
        std::cout << '\n';
      }
    } else {
      nlohmann::json out{{"status", "unknown"}, {"output", probe.text}};
      std::cout << out.dump() << "\n";
    }
  }
  if (options.verbose) {
    std::cout << line << "\n";
  } else if (probe.state != client::NagiosState::ok && !options.json) {
    std::cerr << line << "\n";
  }
  return static_cast<int>(probe.state);
}

} // namespace

void add_check_ready(CLI::App& cmd, Context& ctx) {
  auto options = std::make_shared<CheckReadyOptions>();
  add_daemon_options(cmd, options->daemon);
  cmd.add_option("--timeout", options->timeout, "Connection and read timeout")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd.add_flag("-v,--verbose", options->verbose,
               "Always print one Nagios line with perfdata (latency)");
  cmd.add_flag("--json", options->json, "Print the daemon's readiness report as JSON");
  cmd.footer("Exit codes (Nagios): 0 ready, 1 ready with warnings, 2 not ready, "
             "3 unreachable, timeout, unparseable answer or usage error.");
  cmd.callback([options, &ctx] { ctx.exit_code = check_ready(ctx, *options); });
}

} // namespace homectl::cli
