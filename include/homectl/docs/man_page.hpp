#pragma once

#include "homectl/docs/cli_model.hpp"

#include <span>
#include <string>
#include <vector>

// The manual pages, generated from the command tree (homectl.1) and the
// settings table (both pages), so they list exactly what the binary accepts.
namespace homectl::docs {

// One documented setting, as the settings table describes it.
struct SettingDoc {
  std::string group;              // heading it is listed under, e.g. "server"
  std::vector<std::string> paths; // "defaults.ttl", "sources.<name>.ttl"
  std::string type;               // "a duration (e.g. 30s, 5m)"
  std::string default_value;      // in file syntax, e.g. "15m"; empty = none
  std::string doc;
  std::vector<std::string> env; // HOMECTL_DEFAULTS_TTL, HOMECTL_SOURCES_<NAME>_TTL
  bool secret = false;
  bool reloadable = false;
};

// Facts printed in the page header.
struct ManualInfo {
  std::string version; // "0.1.0"
  std::string date;    // "2026-11-26"
};

// The date in the pages' headers: the date their text last changed, kept fixed
// so regenerating them is reproducible.
inline constexpr const char* k_manual_date = "2026-11-26";

// man/homectl.1: every visible command and option, exit codes, environment
// (the CLI's own variables and every setting's), files and examples.
std::string homectl_1(const CommandDoc& root, std::span<const SettingDoc> settings,
                      const ManualInfo& info);

// man/homectl.json.5: the configuration format, value syntax and every setting
// with its type, default, environment variable and documentation.
std::string homectl_json_5(std::span<const SettingDoc> settings, const ManualInfo& info);

// The variables the CLI reads besides the per-setting ones, with what they do.
struct EnvironmentDoc {
  std::string name;
  std::string doc;
};
std::vector<EnvironmentDoc> cli_environment();

} // namespace homectl::docs
