#include "daemon_options.hpp"

#include "homectl/config/loader.hpp"
#include "homectl/config/values.hpp"

#include <iostream>

namespace homectl::cli {

void add_daemon_options(CLI::App& cmd, DaemonFlags& flags) {
  cmd.add_option("--url", flags.url,
                 "Daemon base URL (default: $HOMECTL_URL, else http:// + server.listen)")
      ->type_name("URL");
  cmd.add_option("--token", flags.token,
                 "API token sent as Bearer (default: $HOMECTL_TOKEN, else server.api_token)")
      ->type_name("TOKEN");
}

Result<config::Config> load_client_config(const Context& ctx) {
  auto result = config::load(load_options(ctx.globals));
  std::string errors;
  for (const auto& problem : result.problems) {
    if (problem.severity == config::Severity::error) {
      errors += (errors.empty() ? "" : "; ") + problem.to_string();
    } else if (!ctx.globals.quiet) {
      std::cerr << "homectl: " << problem.to_string() << "\n";
    }
  }
  if (!result.ok()) {
    return make_error("invalid configuration: " + errors);
  }
  return std::move(result.config);
}

Result<std::chrono::milliseconds> parse_flag_duration(const std::string& flag,
                                                      const std::string& text) {
  auto parsed = config::parse_duration(text);
  if (!parsed) {
    return make_error(flag + ": " + parsed.error().message);
  }
  return *parsed;
}

} // namespace homectl::cli
