#include "homectl/docs/setting_docs.hpp"

#include "homectl/config/settings.hpp"
#include "homectl/util/strings.hpp"

#include <algorithm>

namespace homectl::docs {
namespace {

std::string group_of(const config::Setting& setting) {
  switch (setting.scope) {
  case config::Scope::global: {
    const auto dot = setting.key.find('.');
    return std::string(setting.key.substr(0, dot));
  }
  case config::Scope::policy:
    return "defaults and sources.<name> (fetch policy)";
  case config::Scope::source:
    return "sources.<name>";
  case config::Scope::notifier:
    return "watchdog.notify[] (notifiers)";
  }
  return "other";
}

std::string default_text(const config::Setting& setting) {
  const auto json = config::default_json(setting);
  if (json.is_string()) {
    const auto text = json.get<std::string>();
    return text.empty() ? "empty" : text;
  }
  if (json.is_null()) {
    return "none";
  }
  return json.dump();
}

std::vector<std::string> env_names(const config::Setting& setting) {
  if (!config::env_settable(setting)) {
    return {};
  }
  const std::string key(setting.key);
  const auto per_source = "HOMECTL_SOURCES_<NAME>_" + util::to_upper(key);
  switch (setting.scope) {
  case config::Scope::global:
    return {config::env_name(key)};
  case config::Scope::policy:
    return {config::env_name("defaults." + key), per_source};
  case config::Scope::source:
    return {per_source};
  case config::Scope::notifier:
    return {};
  }
  return {};
}

} // namespace

std::vector<SettingDoc> setting_docs() {
  std::vector<SettingDoc> out;
  for (const auto& setting : config::settings()) {
    SettingDoc doc;
    doc.group = group_of(setting);
    doc.paths = config::setting_paths(setting);
    doc.type = config::type_description(setting);
    if (const auto range = config::range_description(setting); !range.empty()) {
      doc.type += ", " + range;
    }
    doc.default_value = default_text(setting);
    doc.doc = std::string(setting.doc);
    doc.env = env_names(setting);
    doc.secret = setting.secret;
    doc.reloadable = setting.reloadable;
    out.push_back(std::move(doc));
  }
  // One heading per group, in the order groups first appear in the table.
  std::vector<std::string> order;
  for (const auto& doc : out) {
    if (std::find(order.begin(), order.end(), doc.group) == order.end()) {
      order.push_back(doc.group);
    }
  }
  std::stable_sort(out.begin(), out.end(), [&](const SettingDoc& a, const SettingDoc& b) {
    return std::find(order.begin(), order.end(), a.group) <
           std::find(order.begin(), order.end(), b.group);
  });
  return out;
}

} // namespace homectl::docs
