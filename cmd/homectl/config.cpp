#include "cli.hpp"

#include "homectl/config/loader.hpp"
#include "homectl/config/schema.hpp"

#include <iostream>
#include <memory>

// `homectl config validate|show|schema|env`: argument parsing and output only;
// the work is in homectl::config.
namespace homectl::cli {
namespace {

struct ConfigOptions {
  std::string file; // validate's positional FILE
  bool json = false;
  bool strict = false;
  bool origin = false;
};

config::LoadResult load_config(const Context& ctx, const std::string& file) {
  return config::load(load_options(ctx.globals, file));
}

void print_problems(const config::LoadResult& result, bool quiet) {
  for (const auto& p : result.problems) {
    if (quiet && p.severity == config::Severity::warning) {
      continue;
    }
    std::cerr << p.to_string() << "\n";
  }
}

nlohmann::json problems_json(const config::LoadResult& result) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : result.problems) {
    nlohmann::json item{{"severity", p.severity == config::Severity::error ? "error" : "warning"},
                        {"file", p.file},
                        {"path", p.path},
                        {"line", p.line},
                        {"column", p.column},
                        {"message", p.message},
                        {"origin", p.origin}};
    out.push_back(std::move(item));
  }
  return out;
}

std::string dump(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

void run_validate(Context& ctx, const ConfigOptions& opts) {
  const auto result = load_config(ctx, opts.file);
  const bool has_warnings = result.problems.size() > result.error_count();
  const bool failed = !result.ok() || (opts.strict && has_warnings);
  if (opts.json) {
    std::cout << dump(problems_json(result)) << "\n";
  } else {
    print_problems(result, ctx.globals.quiet && !failed);
    if (!failed && !ctx.globals.quiet) {
      const auto n = result.config.sources.size();
      const std::string what =
          result.file.empty() ? "no configuration file, built-in defaults" : result.file;
      std::cout << what << ": ok (" << n << (n == 1 ? " source" : " sources") << ")\n";
    }
    if (failed && !ctx.globals.quiet) {
      const auto errors = result.error_count();
      std::cerr << (result.file.empty() ? "configuration" : result.file) << ": invalid (" << errors
                << (errors == 1 ? " error" : " errors");
      if (has_warnings) {
        const auto warnings = result.problems.size() - errors;
        std::cerr << ", " << warnings << (warnings == 1 ? " warning" : " warnings");
      }
      std::cerr << (errors == 0 ? "; warnings fail under --strict" : "") << ")\n";
    }
  }
  ctx.exit_code = failed ? k_exit_failed : k_exit_ok;
}

void run_show(Context& ctx, const ConfigOptions& opts) {
  const auto result = load_config(ctx, {});
  print_problems(result, ctx.globals.quiet);
  if (!result.ok()) {
    ctx.exit_code = k_exit_failed;
    return;
  }
  std::cout << dump(opts.origin ? config::to_json_with_origins(result)
                                : config::to_json(result.config))
            << "\n";
}

} // namespace

void add_config(CLI::App& cmd, Context& ctx) {
  auto opts = std::make_shared<ConfigOptions>();
  cmd.require_subcommand(1);

  auto* validate = cmd.add_subcommand(
      "validate", "Check a configuration file and the environment; report every problem");
  validate->fallthrough();
  validate->add_option("FILE", opts->file, "File to check (default: --config or the search path)")
      ->type_name("FILE");
  validate->add_flag("--json", opts->json, "Print the problems as a JSON array on stdout");
  validate->add_flag("--strict", opts->strict, "Fail on warnings too");
  validate->callback([&ctx, opts] { run_validate(ctx, *opts); });

  auto* show = cmd.add_subcommand("show", "Print the effective configuration (secrets redacted)");
  show->fallthrough();
  show->add_flag("--origin", opts->origin,
                 "Show where each value came from (default, file:line:col, env, flag)");
  show->callback([&ctx, opts] { run_show(ctx, *opts); });

  auto* schema = cmd.add_subcommand("schema", "Print the JSON Schema of the configuration file");
  schema->fallthrough();
  schema->callback([] { std::cout << dump(config::json_schema()) << "\n"; });

  auto* env = cmd.add_subcommand("env", "Print every environment variable with its default");
  env->fallthrough();
  env->callback([] { std::cout << config::env_sample(); });
}

} // namespace homectl::cli
