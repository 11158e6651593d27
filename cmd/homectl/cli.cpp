#include "cli.hpp"

#include "homectl/util/strings.hpp"

#include <cstdio>
#include <exception>
#include <iostream>
#include <vector>

namespace homectl::cli {
namespace {

// Options that take a value, so the pre-scan below can skip their arguments.
bool takes_value(std::string_view arg) {
  return arg == "--config" || arg == "--log-level";
}

// The first positional word (the subcommand), if any.
std::optional<std::string> first_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      return std::nullopt;
    }
    if (arg.starts_with("-")) {
      if (takes_value(arg)) {
        ++i;
      }
      continue;
    }
    return std::string(arg);
  }
  return std::nullopt;
}

// The exit code for a usage error: the command's own (check-ready: 3) or 64.
int usage_exit_code(int argc, char** argv) {
  if (auto word = first_word(argc, argv)) {
    for (const auto& command : commands()) {
      if (command.name == *word) {
        return command.usage_exit_code;
      }
    }
  }
  return k_exit_usage;
}

// Finds the first positional word (the subcommand) if it names no command.
std::optional<std::string> unknown_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      return std::nullopt;
    }
    if (arg.starts_with("-")) {
      if (takes_value(arg)) {
        ++i;
      }
      continue;
    }
    for (const auto& command : commands()) {
      if (command.name == arg) {
        return std::nullopt;
      }
    }
    return std::string(arg);
  }
  return std::nullopt;
}

} // namespace

void build_app(CLI::App& app, Context& ctx) {
  app.description("homectl: one reliable hub for a home server's data sources");
  app.set_help_flag("-h,--help", "Show help and exit");
  app.set_version_flag("-V,--version", version_line(), "Show the version and exit");
  app.option_defaults()->always_capture_default();
  app.add_option("--config", ctx.globals.config_path, "Configuration file (JSON with comments)")
      ->envname("HOMECTL_CONFIG")
      ->type_name("FILE");
  app.add_option("--log-level", ctx.globals.log_level, "Log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->type_name("LEVEL");
  app.add_flag("-q,--quiet", ctx.globals.quiet, "Print only errors");
  app.require_subcommand(1);
  app.fallthrough();
  for (const auto& command : commands()) {
    auto* sub = app.add_subcommand(std::string(command.name), std::string(command.summary));
    sub->fallthrough();
    command.add(*sub, ctx);
  }
}

int run(int argc, char** argv) {
  if (auto word = unknown_command(argc, argv)) {
    std::vector<std::string> names;
    for (const auto& command : commands()) {
      names.emplace_back(command.name);
    }
    std::cerr << "homectl: unknown command '" << *word << "'";
    if (auto suggestion = util::did_you_mean(*word, names)) {
      std::cerr << "; did you mean '" << *suggestion << "'?";
    }
    std::cerr << "\nRun 'homectl --help' for the list of commands.\n";
    return k_exit_usage;
  }

  Context ctx;
  CLI::App app{"homectl", "homectl"};
  build_app(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "homectl: " << e.what() << "\nRun 'homectl --help' for usage.\n";
    return usage_exit_code(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "homectl: error: " << e.what() << "\n";
    return ctx.exit_code != k_exit_ok ? ctx.exit_code : k_exit_failed;
  }
  return ctx.exit_code;
}

config::LoadOptions load_options(const Globals& globals, const std::string& file) {
  config::LoadOptions options;
  options.path = file.empty() ? globals.config_path : file;
  options.env = config::process_environment();
  if (!globals.log_level.empty()) {
    options.overrides["log.level"] = globals.log_level;
  } else if (globals.quiet) {
    options.overrides["log.level"] = "error";
  }
  return options;
}

} // namespace homectl::cli
