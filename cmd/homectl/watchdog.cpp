#include "cli.hpp"
#include "daemon_options.hpp"

#include "homectl/client/stop_signal.hpp"
#include "homectl/util/clock.hpp"
#include "homectl/util/strings.hpp"
#include "homectl/watchdog/message.hpp"
#include "homectl/watchdog/watch_loop.hpp"
#include "homectl/watchdog/watchdog.hpp"

#include <iostream>
#include <memory>
#include <thread>

namespace homectl::cli {

void add_watchdog_silence(CLI::App& watchdog_cmd, Context& ctx);
void add_watchdog_status(CLI::App& watchdog_cmd, Context& ctx);

namespace {

struct WatchdogOptions {
  DaemonFlags daemon;
  bool once = false;
  bool test_notify = false;
  std::string state_file;
  std::string timeout = "5s";
  std::string interval; // empty = watchdog.interval
  int iterations = 0;   // hidden, for tests: stop after N checks (0 = until SIGTERM)
};

void print_run(const watchdog::RunReport& report) {
  if (report.notification) {
    const auto& n = *report.notification;
    if (n.sources.empty() && !n.summary && n.sources_left_out == 0) {
      std::cout << "homectl watchdog: " << watchdog::title_of(n) << " ("
                << watchdog::to_string(n.previous) << " -> " << watchdog::to_string(n.state)
                << "): " << n.message << "\n";
    } else {
      std::cout << "homectl watchdog: " << watchdog::title_of(n) << "\n";
      for (const auto& line : util::split(watchdog::text_of(n), '\n')) {
        std::cout << "  " << line << "\n";
      }
    }
  }
  if (report.silenced_until && report.held > 0) {
    std::cout << "homectl watchdog: silenced until "
              << watchdog::format_local_time(*report.silenced_until) << ": " << report.held
              << " change(s) recorded, not sent\n";
  }
  for (const auto& d : report.deliveries) {
    if (d.result.ok) {
      std::cout << "homectl watchdog: delivered to " << d.notifier << "\n";
    } else if (d.unconfigured) {
      std::cout << "homectl watchdog: dropped a queued notification for " << d.notifier << ": "
                << d.result.detail << "\n";
    } else if (d.dropped) {
      std::cerr << "homectl watchdog: dropped a notification for " << d.notifier << ": "
                << d.result.detail << "\n";
    } else {
      std::cerr << "homectl watchdog: delivery to " << d.notifier << " failed (" << d.result.detail
                << "); it will be retried\n";
    }
  }
  // Heartbeats go out after every check: only a failed one is worth a line.
  for (const auto& h : report.heartbeats) {
    if (!h.result.ok) {
      std::cerr << "homectl watchdog: " << h.notifier << " failed (" << h.result.detail << ")\n";
    }
  }
  std::cout.flush();
}

int test_notify(watchdog::Watchdog& dog) {
  const auto reports = dog.test_notify();
  if (reports.empty()) {
    std::cerr << "homectl watchdog: no notifiers configured (watchdog.notify is empty)\n";
    return k_exit_failed;
  }
  std::size_t width = 8;
  for (const auto& r : reports) {
    width = std::max(width, r.notifier.size());
  }
  bool failed = false;
  std::cout << std::string("NOTIFIER") + std::string(width - 8 + 2, ' ') << "RESULT  DETAIL\n";
  for (const auto& r : reports) {
    failed = failed || !r.result.ok;
    std::cout << r.notifier << std::string(width - r.notifier.size() + 2, ' ')
              << (r.result.ok ? "ok    " : "FAILED") << "  " << r.result.detail << "\n";
  }
  return failed ? k_exit_failed : k_exit_ok;
}

// What a persistent watchdog starts from: its state file, or a fresh state
// when the file is missing or damaged (said on stderr).
watchdog::WatchdogFile load_state(const std::filesystem::path& path) {
  auto loaded = watchdog::load_state_file(path);
  if (!loaded) {
    std::cerr << "homectl watchdog: " << loaded.error().message << "; starting afresh\n";
    return {};
  }
  auto state = std::move(loaded).value();
  if (state.dropped_legacy > 0) {
    std::cout << "homectl watchdog: " << path.string() << ": dropped " << state.dropped_legacy
              << " queued notification(s) of an older version (keyed by URL or argv)\n";
  }
  return state;
}

watchdog::WatchdogSettings watchdog_settings(const config::Config& config,
                                             const WatchdogOptions& options,
                                             std::chrono::milliseconds timeout) {
  const auto target = client::resolve_target(config, options.daemon.url, options.daemon.token,
                                             client::process_env, /*for_watchdog=*/true);
  watchdog::WatchdogSettings settings;
  settings.url = target.url;
  settings.token = target.token;
  settings.timeout = timeout;
  settings.thresholds = {config.watchdog.failure_threshold, config.watchdog.success_threshold,
                         config.watchdog.remind_every};
  settings.sources = config.watchdog.sources;
  return settings;
}

// One check (--once) or the loop until stopped, with the state kept in a
// file when either asks for it.
int run_checks(watchdog::Watchdog& dog, const WatchdogOptions& options,
               std::chrono::milliseconds interval, client::StopSignal* stop) {
  const bool persistent = options.once || !options.state_file.empty();
  const std::filesystem::path state_path = !options.state_file.empty()
                                               ? std::filesystem::path(options.state_file)
                                               : watchdog::default_state_path();
  watchdog::WatchdogFile state = persistent ? load_state(state_path) : watchdog::WatchdogFile{};
  watchdog::StateSaver saver(state_path, std::cerr, state);
  if (persistent) {
    dog.on_change([&saver](const watchdog::WatchdogFile& file) { saver.save(file); });
  }

  if (options.once) {
    const auto report = dog.run_once(state);
    print_run(report);
    saver.save(state);
    return report.delivery_failed() || saver.failed() ? k_exit_failed : k_exit_ok;
  }

  const util::SystemdNotifier systemd;
  watchdog::WatchLoopOptions loop{interval, options.iterations, {}};
  if (persistent) {
    // `watchdog silence` edits the file meanwhile: take its silence up before each check.
    loop.before_check = [&saver](watchdog::WatchdogFile& file) { saver.take_up_silence(file); };
  }
  watchdog::watch(dog, state, loop, *stop, systemd, print_run);
  if (persistent) {
    saver.save(state);
  }
  return k_exit_ok;
}

int run_watchdog(const Context& ctx, const WatchdogOptions& options) {
  auto config = load_client_config(ctx);
  if (!config) {
    std::cerr << "homectl: " << config.error().message << "\n";
    return k_exit_failed;
  }
  auto timeout = parse_flag_duration("--timeout", options.timeout);
  auto interval = options.interval.empty()
                      ? Result<std::chrono::milliseconds>(config->watchdog.interval)
                      : parse_flag_duration("--interval", options.interval);
  for (const auto* flag : {&timeout, &interval}) {
    if (!*flag) {
      std::cerr << "homectl: " << flag->error().message << "\n";
      return k_exit_usage;
    }
  }
  auto settings = watchdog_settings(*config, options, *timeout);
  auto notifiers = watchdog::make_notifiers(config->watchdog.notify);

  // The long-running mode collects SIGTERM/SIGINT itself (blocked before any
  // thread exists); one-shot runs keep the default: a signal ends them at once.
  std::optional<client::StopSignal> stop;
  if (!options.once && !options.test_notify) {
    stop.emplace();
  }
  watchdog::Watchdog dog(std::move(settings), std::move(notifiers), util::SystemClock::instance(),
                         [&stop](std::chrono::milliseconds d) {
                           if (stop) {
                             stop->wait_for(d);
                           } else {
                             std::this_thread::sleep_for(d);
                           }
                         });
  if (options.test_notify) {
    return test_notify(dog);
  }
  return run_checks(dog, options, *interval, stop ? &*stop : nullptr);
}

} // namespace

void add_watchdog(CLI::App& cmd, Context& ctx) {
  auto options = std::make_shared<WatchdogOptions>();
  add_daemon_options(cmd, options->daemon);
  cmd.add_flag("--once", options->once,
               "Check once, keep state in the state file and exit (cron, systemd timer)");
  cmd.add_flag("--test-notify", options->test_notify,
               "Send a test message to every notifier and report each result");
  cmd.add_option("--state-file", options->state_file,
                 "State file (default: $RUNTIME_DIRECTORY/watchdog.json, else "
                 "$XDG_RUNTIME_DIR/homectl/watchdog.json, else /run/homectl/watchdog.json)")
      ->type_name("FILE");
  cmd.add_option("--timeout", options->timeout, "Timeout of each request to the daemon")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd.add_option("--interval", options->interval,
                 "Time between checks in the long-running mode (default: watchdog.interval)")
      ->type_name("DURATION");
  cmd.add_option("--iterations", options->iterations, "Stop after N checks")
      ->group("") // hidden: for tests of the long-running mode
      ->check(CLI::NonNegativeNumber);
  cmd.get_option("--once")->excludes("--test-notify");
  cmd.footer("Exit status: 0 after a check whatever the daemon's state; 1 when a notification "
             "could not be delivered (it is retried on the next run) or the state file cannot "
             "be written.");
  add_watchdog_silence(cmd, ctx);
  add_watchdog_status(cmd, ctx);
  cmd.callback([options, &ctx, &cmd] {
    if (!cmd.get_subcommands().empty()) {
      return; // `watchdog silence` or `watchdog status` ran instead
    }
    ctx.exit_code = run_watchdog(ctx, *options);
  });
}

} // namespace homectl::cli
