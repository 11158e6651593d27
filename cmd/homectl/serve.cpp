#include "cli.hpp"

#include "homectl/config/loader.hpp"
#include "homectl/daemon/daemon.hpp"

// `homectl serve`: turns the global options into a configuration loader and
// hands over to the daemon. The same loader runs again on SIGHUP.
namespace homectl::cli {

void add_serve(CLI::App& cmd, Context& ctx) {
  cmd.callback([&ctx] {
    const Globals globals = ctx.globals;
    daemon::Options options;
    options.load = [globals] {
      const auto result = config::load(load_options(globals));
      daemon::LoadedConfig loaded;
      loaded.file = result.file;
      for (const auto& problem : result.problems) {
        (problem.severity == config::Severity::error ? loaded.errors : loaded.warnings)
            .push_back(problem.to_string());
      }
      if (result.ok()) {
        loaded.config = result.config;
      }
      return loaded;
    };
    ctx.exit_code = daemon::run(options);
  });
}

} // namespace homectl::cli
