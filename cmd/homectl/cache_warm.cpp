#include "cli.hpp"
#include "daemon_options.hpp"

#include "homectl/client/cache_warm.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <thread>
#include <tuple>

namespace homectl::cli {
namespace {

struct WarmFlags {
  DaemonFlags daemon;
  std::vector<std::string> sources;
  int concurrency = 4;
  std::string wait = "5s";
  std::string timeout = "2s";
  std::string max_wait = "60s";
};

int run_warm(const Context& ctx, const WarmFlags& flags) {
  auto config = load_client_config(ctx);
  if (!config) {
    std::cerr << "homectl: " << config.error().message << "\n";
    return k_exit_failed;
  }
  client::WarmOptions options;
  options.concurrency = flags.concurrency;
  for (auto [flag, text, out] :
       {std::tuple{"--wait", &flags.wait, &options.wait},
        std::tuple{"--timeout", &flags.timeout, &options.timeout},
        std::tuple{"--max-wait", &flags.max_wait, &options.max_retry_wait}}) {
    auto parsed = parse_flag_duration(flag, *text);
    if (!parsed) {
      std::cerr << "homectl: " << parsed.error().message << "\n";
      return k_exit_usage;
    }
    *out = *parsed;
  }
  const auto target = client::resolve_target(*config, flags.daemon.url, flags.daemon.token);

  std::vector<std::string> sources = flags.sources;
  if (sources.empty()) {
    auto listed = client::list_sources(target.url, target.token, options.timeout);
    if (!listed) {
      std::cerr << "homectl: cannot list sources: " << listed.error().message << "\n";
      return k_exit_failed;
    }
    sources = std::move(listed).value();
    if (sources.empty()) {
      std::cout << "No sources configured; nothing to warm.\n";
      return k_exit_ok;
    }
  }

  const bool tty = ::isatty(STDERR_FILENO) == 1;
  const bool quiet = ctx.globals.quiet;
  auto progress = [tty, quiet](const client::WarmResult& r, std::size_t done, std::size_t total) {
    if (quiet) {
      return;
    }
    if (tty) {
      std::cerr << "\r\033[K" << client::render_progress_bar(done, total, r);
      if (done == total) {
        std::cerr << "\n";
      }
    } else {
      std::cerr << "warmed " << done << "/" << total << ": " << r.source << " " << r.outcome
                << (r.detail.empty() ? "" : " (" + r.detail + ")") << "\n";
    }
    std::cerr.flush();
  };
  auto sleeper = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  const auto results =
      client::warm_sources(target.url, target.token, sources, options, progress, sleeper);
  std::cout << client::render_warm_summary(results);
  const bool failed =
      std::any_of(results.begin(), results.end(), [](const auto& r) { return !r.ok; });
  return failed ? k_exit_failed : k_exit_ok;
}

} // namespace

void add_cache(CLI::App& cmd, Context& ctx) {
  cmd.require_subcommand(1);
  auto* warm = cmd.add_subcommand("warm", "Refresh sources through the daemon, with progress");
  warm->fallthrough();
  auto flags = std::make_shared<WarmFlags>();
  add_daemon_options(*warm, flags->daemon);
  warm->add_option("SOURCE", flags->sources, "Sources to refresh (default: all)");
  warm->add_option("--concurrency", flags->concurrency, "Refreshes in flight at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  warm->add_option("--wait", flags->wait, "How long the daemon waits for each refresh")
      ->type_name("DURATION")
      ->capture_default_str();
  warm->add_option("--timeout", flags->timeout, "Connection timeout (reads allow --wait more)")
      ->type_name("DURATION")
      ->capture_default_str();
  warm->add_option("--max-wait", flags->max_wait,
                   "Longest Retry-After waited out for one 429 answer")
      ->type_name("DURATION")
      ->capture_default_str();
  warm->footer("Exit status 1 when any source failed to refresh.");
  warm->callback([flags, &ctx] { ctx.exit_code = run_warm(ctx, *flags); });
}

} // namespace homectl::cli
