#pragma once

#include "homectl/config/config.hpp"

#include <string>
#include <vector>

// What a SIGHUP reload changes. Settings the settings table does not mark
// reloadable (server.listen, server.threads, log.file, redis.url, ...) keep
// their running values and are reported as needing a restart.
namespace homectl::daemon {

struct ReloadPlan {
  config::Config applied;                 // the new configuration, restart-only settings kept
  std::vector<std::string> changed;       // setting paths or sections that changed and apply now
  std::vector<std::string> needs_restart; // changed settings that wait for a restart
};

ReloadPlan plan_reload(const config::Config& current, config::Config next);

} // namespace homectl::daemon
