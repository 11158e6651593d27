#include "cli.hpp"
#include "daemon_options.hpp"

#include "homectl/util/clock.hpp"
#include "homectl/watchdog/message.hpp"
#include "homectl/watchdog/silence.hpp"
#include "homectl/watchdog/state_file.hpp"
#include "homectl/watchdog/status.hpp"

#include <iostream>
#include <memory>

namespace homectl::cli {
namespace {

// The longest silence: a maintenance window, not a way to turn alerts off.
constexpr std::chrono::milliseconds k_max_silence{30LL * 24 * 3600 * 1000};

struct SilenceOptions {
  std::string duration;
  std::string reason;
  bool clear = false;
  std::string state_file;
};

struct StatusOptions {
  DaemonFlags daemon;
  bool json = false;
  std::string state_file;
};

std::filesystem::path state_path(const std::string& flag) {
  return flag.empty() ? watchdog::default_state_path() : std::filesystem::path(flag);
}

int usage(const std::string& message) {
  std::cerr << "homectl: " << message << "\nRun 'homectl watchdog silence --help' for usage.\n";
  return k_exit_usage;
}

int run_silence(const SilenceOptions& options) {
  if (options.clear == !options.duration.empty()) {
    return usage(options.clear ? "watchdog silence: give a DURATION or --clear, not both"
                               : "watchdog silence: give a DURATION (e.g. 2h) or --clear");
  }
  if (options.clear && !options.reason.empty()) {
    return usage("watchdog silence: --reason goes with a DURATION, not with --clear");
  }
  if (auto problem = watchdog::silence_reason_problem(options.reason)) {
    return usage("--reason: " + *problem);
  }
  std::chrono::milliseconds length{0};
  if (!options.clear) {
    auto parsed = parse_flag_duration("DURATION", options.duration);
    if (!parsed) {
      return usage(parsed.error().message);
    }
    if (parsed->count() <= 0 || *parsed > k_max_silence) {
      return usage("DURATION: \"" + options.duration + "\" is out of range (1ms to 30d)");
    }
    length = *parsed;
  }
  const auto path = state_path(options.state_file);
  // Held until the new state is saved: a running watchdog saves in between otherwise.
  auto lock = watchdog::lock_state_file(path);
  if (!lock) {
    std::cerr << "homectl watchdog: error: " << lock.error().message << "\n";
    return k_exit_failed;
  }
  auto loaded = watchdog::load_state_file(path);
  if (!loaded) {
    std::cerr << "homectl watchdog: " << loaded.error().message << "\n";
    return k_exit_failed;
  }
  auto file = std::move(loaded).value();
  const auto now = util::SystemClock::instance().wall();
  if (options.clear) {
    if (!watchdog::end_silence(file, now)) {
      std::cout << "homectl watchdog: no silence is set\n";
      return k_exit_ok;
    }
  } else {
    watchdog::begin_silence(file, now + length, options.reason, now);
  }
  if (auto saved = watchdog::save_state_file(path, file); !saved) {
    std::cerr << "homectl watchdog: error: cannot save the state: " << saved.error().message
              << "\n";
    return k_exit_failed;
  }
  if (options.clear) {
    std::cout << "homectl watchdog: silence ended; the next check sends what changed, if "
                 "anything\n";
  } else {
    std::cout << "homectl watchdog: silenced until " << watchdog::format_local_time(now + length)
              << " ("
              << watchdog::format_span(std::chrono::duration_cast<std::chrono::seconds>(length))
              << ")" << (options.reason.empty() ? "" : ": " + options.reason) << "\n";
  }
  return k_exit_ok;
}

int run_status(const Context& ctx, const StatusOptions& options) {
  auto config = load_client_config(ctx);
  if (!config) {
    std::cerr << "homectl: " << config.error().message << "\n";
    return k_exit_failed;
  }
  watchdog::StatusInput input;
  input.url = client::resolve_target(*config, options.daemon.url, options.daemon.token,
                                     client::process_env, /*for_watchdog=*/true)
                  .url;
  input.state_path = state_path(options.state_file);
  input.watched = config->watchdog.sources;
  input.now = util::SystemClock::instance().wall();
  auto loaded = watchdog::load_state_file(input.state_path);
  if (!loaded) {
    std::cerr << "homectl watchdog: " << loaded.error().message << "\n";
    return k_exit_failed;
  }
  input.file = std::move(loaded).value();
  if (options.json) {
    std::cout << watchdog::status_json(input).dump(2, ' ', false,
                                                   nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    std::cout << watchdog::status_text(input);
  }
  return k_exit_ok;
}

const char* const k_state_file_help =
    "State file (default: $RUNTIME_DIRECTORY/watchdog.json, else "
    "$XDG_RUNTIME_DIR/homectl/watchdog.json, else /run/homectl/watchdog.json)";

} // namespace

void add_watchdog_silence(CLI::App& watchdog_cmd, Context& ctx) {
  auto options = std::make_shared<SilenceOptions>();
  auto* cmd = watchdog_cmd.add_subcommand(
      "silence", "Hold notifications back for a while (maintenance); --clear ends it");
  cmd->fallthrough();
  cmd->add_option("duration", options->duration, "How long, e.g. 2h or 30m (at most 30d)")
      ->type_name("DURATION");
  cmd->add_option("--reason", options->reason,
                  "Why, shown by `watchdog status` (at most 200 bytes, no control characters)")
      ->type_name("TEXT");
  cmd->add_flag("--clear", options->clear,
                "End the silence now; the next check sends what changed during it");
  cmd->add_option("--state-file", options->state_file, k_state_file_help)->type_name("FILE");
  cmd->footer("During a silence every check still runs and records changes, but nothing is "
              "sent; heartbeats go on. When it ends, one summary goes out if anything differs "
              "from what was last announced.");
  cmd->callback([options, &ctx] { ctx.exit_code = run_silence(*options); });
}

void add_watchdog_status(CLI::App& watchdog_cmd, Context& ctx) {
  auto options = std::make_shared<StatusOptions>();
  auto* cmd = watchdog_cmd.add_subcommand(
      "status", "Show what the watchdog tracks, their states, the silence and pending deliveries");
  cmd->fallthrough();
  cmd->add_option("--url", options->daemon.url,
                  "Watched daemon URL shown (default: $HOMECTL_URL, watchdog.url, server.listen)")
      ->type_name("URL");
  cmd->add_flag("--json", options->json, "Print the status as JSON");
  cmd->add_option("--state-file", options->state_file, k_state_file_help)->type_name("FILE");
  cmd->footer("Reads the state file only: neither the daemon nor any notifier is contacted.");
  cmd->callback([options, &ctx] { ctx.exit_code = run_status(ctx, *options); });
}

} // namespace homectl::cli
