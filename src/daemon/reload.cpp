#include "homectl/daemon/reload.hpp"

#include "homectl/config/settings.hpp"

namespace homectl::daemon {

ReloadPlan plan_reload(const config::Config& current, config::Config next) {
  ReloadPlan plan;
  // The settings table says what SIGHUP may apply; everything else keeps its
  // running value until a restart.
  for (const auto* setting : config::settings_in(config::Scope::global)) {
    if (setting->reloadable || setting->get == nullptr || setting->set == nullptr) {
      continue;
    }
    const auto running = setting->get(&current);
    if (!(running == setting->get(&next))) {
      plan.needs_restart.emplace_back(setting->key);
      setting->set(&next, running);
    }
  }

  // What SIGHUP applies, from the same table: every reloadable setting that
  // differs (by name only; a token's value is never logged), then the sources.
  for (const auto* setting : config::settings_in(config::Scope::global)) {
    if (setting->reloadable && setting->get != nullptr &&
        !(setting->get(&current) == setting->get(&next))) {
      plan.changed.emplace_back(setting->key);
    }
  }
  if (!(current.sources == next.sources)) {
    plan.changed.emplace_back("sources");
  }
  plan.applied = std::move(next);
  return plan;
}

} // namespace homectl::daemon
