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
    options.load = [globals] { return config::load(load_options(globals)); };
    ctx.exit_code = daemon::run(options);
  });
}

} // namespace homectl::cli
