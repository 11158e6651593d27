#pragma once

#include "homectl/config/config.hpp"
#include "homectl/config/values.hpp"
#include "homectl/util/result.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

// Loading the configuration: file (JSON with comments) < environment < flags,
// every problem found in one pass, each with where it came from.
namespace homectl::config {

enum class Severity { error, warning };

// One configuration problem and its origin.
struct Problem {
  Severity severity = Severity::error;
  std::string file;         // empty when the problem comes from env or a flag
  int line = 0, column = 0; // 1-based, 0 = unknown
  std::string origin;       // e.g. "HOMECTL_SERVER_LISTEN" when not from the file
  std::string path;         // e.g. "sources.weather.ttl"
  std::string message;
  // "homectl.json:14:9: sources.weather.ttl: msg" / "HOMECTL_X: msg" (warnings say "warning: ").
  std::string to_string() const;
};

// The process environment, from which HOMECTL_* overlays and ${NAME} expansions are read.
using Environment = std::map<std::string, std::string>;

// Every variable of the current process (HOMECTL_* and whatever ${NAME} may reference).
Environment process_environment();

struct LoadOptions {
  std::string path;                 // explicit file (--config / HOMECTL_CONFIG); empty = search
  bool search_default_paths = true; // ./homectl.json, $XDG_CONFIG_HOME/homectl/homectl.json,
                                    // /etc/homectl/homectl.json
  Environment env;
  std::map<std::string, std::string> overrides; // CLI flag overrides: setting path -> value text
};

struct LoadResult {
  Config config;                              // valid only when ok()
  std::string file;                           // the file actually used; empty = built-in defaults
  std::vector<Problem> problems;              // errors and warnings, in file order
  std::map<std::string, std::string> origins; // setting path -> "default", "homectl.json:3:5",
                                              // "env HOMECTL_X", "flag", "defaults.ttl"
  // True when no problem has error severity.
  bool ok() const;
  // Number of error-severity problems.
  std::size_t error_count() const;
};

// Finds, reads and loads the configuration. A missing explicit file is an error;
// no file found by the search means built-in defaults (ok, zero sources).
LoadResult load(const LoadOptions& options);

// Loads configuration text as if read from `file_name` (used in messages).
LoadResult load_text(std::string_view text, std::string_view file_name, const Environment& env,
                     const std::map<std::string, std::string>& overrides = {});

// The effective configuration in file syntax (for `config show` and /diagnostics);
// with `redact`, secrets read "<redacted>" and URLs lose userinfo and query values.
nlohmann::json to_json(const Config& config, bool redact = true);

// Like to_json, but every leaf is {"value": ..., "origin": ...} (for `config show --origin`).
nlohmann::json to_json_with_origins(const LoadResult& result, bool redact = true);

// The paths searched when no file is given, in order.
std::vector<std::string> default_config_paths(const Environment& env);

} // namespace homectl::config
