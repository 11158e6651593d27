#pragma once

#include "homectl/config/config.hpp"
#include "homectl/util/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The one table of settings. Every row says where a setting lives, its type,
// bounds, documentation and whether it is secret or reloadable; parsing,
// validation, the environment overlay, redaction, `config schema`, `config env`
// and the man page are all driven from it. Defaults come from the
// default-constructed structs in config.hpp, so they are stated once.
namespace homectl::config {

// The value syntax of a setting.
enum class SettingType {
  string,           // free text (or one of enum_values when given)
  boolean,          // true/false
  integer,          // whole number within [min, max]
  duration,         // "5s"; bounds in milliseconds
  duration_or_off,  // "5s" or "off"
  size,             // 512 or "64KiB"; bounds in bytes
  rate_or_off,      // "60/m" or "off"
  listen,           // "127.0.0.1:8080"
  http_url,         // http(s)://...; empty = unset
  redis_url,        // redis://... or unix:///...; empty = unset
  enumeration,      // one of enum_values (a C++ enum in config.hpp, same order)
  pointer_list,     // array of JSON Pointers
  string_list,      // array of strings
  string_map,       // object of string values
  pointer_map,      // object of names ([a-z_][a-z0-9_]*) to JSON Pointers or value objects
                    // ({"pointer","unit","device_class","state_class"}), at most max entries
  source_selection, // "required", "all" or an array of source names (at most max)
  mqtt_url,         // mqtt://... or mqtts://...; empty = unset; userinfo redacted in output
};

// Which object a row belongs to; `key` is relative to it.
enum class Scope {
  global,   // Config: key is the full path ("server.listen")
  policy,   // FetchPolicy: "defaults.<key>" and "sources.<name>.<key>"
  source,   // SourceConfig (not inherited): "sources.<name>.<key>"
  notifier, // NotifierConfig: "watchdog.notify[].<key>"
};

// A parsed setting value. Enumerations hold their index in enum_values.
using Value = std::variant<bool, std::int64_t, std::string, Duration, std::optional<Duration>,
                           std::size_t, std::optional<Rate>, ListenAddress,
                           std::vector<std::string>, std::map<std::string, std::string>,
                           WatchedSources, std::map<std::string, ValueSpec>>;

// One row of the table.
struct Setting {
  Scope scope = Scope::global;
  std::string_view key;
  SettingType type = SettingType::string;
  std::string_view doc;
  // integer/duration(ms)/size bounds; pointer_map: the most entries
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
  std::span<const std::string_view> enum_values;
  bool secret = false;      // never shown: "<redacted>" in output, not quoted in messages
  bool reloadable = false;  // SIGHUP applies it without a restart
  bool secret_path = false; // http_url: the path is a credential too (a webhook id, a topic)
  void (*set)(void* target, const Value& value) = nullptr;
  Value (*get)(const void* target) = nullptr;
};

// Every setting, in documentation order.
std::span<const Setting> settings();

// The rows of one scope, in table order.
std::vector<const Setting*> settings_in(Scope scope);

// The row for a global path ("server.listen"), or nullptr.
const Setting* find_global_setting(std::string_view path);

// The documented path patterns of a row: "server.listen"; "defaults.ttl" and
// "sources.<name>.ttl"; "watchdog.notify[].url".
std::vector<std::string> setting_paths(const Setting& setting);

// The environment variable of a concrete path ("sources.my-api.ttl" ->
// "HOMECTL_SOURCES_MY_API_TTL"; a pattern "sources.<name>.ttl" gives
// "HOMECTL_SOURCES_<NAME>_TTL"). Whether a row has one at all: env_settable().
std::string env_name(std::string_view path);

// True when the row can be set from the environment or a flag (not maps, not notifiers).
bool env_settable(const Setting& setting);

// The built-in default of a row as a value and in config-file syntax ("15m").
Value default_value(const Setting& setting);
nlohmann::json default_json(const Setting& setting);

// A human description of the accepted syntax ("a duration (e.g. 30s, 5m)").
std::string type_description(const Setting& setting);

// The bounds of a numeric row in its own units ("1 to 64", "at least 1s"); empty if none.
std::string range_description(const Setting& setting);

// Parses a JSON value (from the file, or converted from env/flag text) for a row.
// Messages quote the value unless the row is secret.
Result<Value> parse_value(const Setting& setting, const nlohmann::json& json);

// Converts environment/flag text to the JSON a file would hold for that row
// ("true" -> true, "3" -> 3, "/a,/b" -> ["/a","/b"]).
nlohmann::json text_to_json(const Setting& setting, std::string_view text);

// A value in config-file syntax, for `config show` (redact: secrets -> "<redacted>",
// URLs lose userinfo and query values).
nlohmann::json value_to_json(const Setting& setting, const Value& value, bool redact);

// One `values` entry in config-file syntax: the pointer alone as a string, or
// the object form when it says more.
nlohmann::json value_spec_to_json(const ValueSpec& spec);

} // namespace homectl::config
