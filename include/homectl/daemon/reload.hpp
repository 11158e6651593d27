#pragma once

#include "homectl/config/config.hpp"

#include <string>
#include <vector>

// What a SIGHUP reload changes. Settings that only take effect at start
// (server.listen, server.threads) keep their running values and are reported.
namespace homectl::daemon {

struct ReloadPlan {
  config::Config applied;                 // the new configuration, restart-only settings kept
  std::vector<std::string> changed;       // setting paths or sections that changed and apply now
  std::vector<std::string> needs_restart; // changed settings that wait for a restart
};

ReloadPlan plan_reload(const config::Config& current, config::Config next);

} // namespace homectl::daemon
