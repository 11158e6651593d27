#include "cli.hpp"

#include "homectl/daemon/daemon.hpp"

namespace homectl::cli {

void add_serve(CLI::App& cmd, Context& ctx) {
  cmd.callback([&ctx] {
    daemon::Options options;
    options.load = [] {
      daemon::LoadedConfig loaded;
      loaded.config = config::Config{};
      return loaded;
    };
    ctx.exit_code = daemon::run(options);
  });
}

} // namespace homectl::cli
