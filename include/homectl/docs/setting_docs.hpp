#pragma once

#include "homectl/docs/man_page.hpp"

#include <vector>

// The settings table (config/settings.hpp) as the man pages describe it.
namespace homectl::docs {

// Every setting in table order, grouped by section (server, log, ..., fetch
// policy, sources, notifiers), with env names as `homectl config env` prints them.
std::vector<SettingDoc> setting_docs();

} // namespace homectl::docs
