#include "homectl/config/schema.hpp"

#include "homectl/config/settings.hpp"
#include "homectl/config/values.hpp"
#include "homectl/util/strings.hpp"

#include <sstream>

namespace homectl::config {
namespace {

using nlohmann::json;

// A duration ("1h30m"), and for duration_or_off settings also "off".
std::string duration_pattern(SettingType type) {
  const std::string core =
      std::string("(?=[0-9])([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?");
  return type == SettingType::duration_or_off ? "^(off|" + core + ")$" : "^" + core + "$";
}

json type_schema(const Setting& s) {
  constexpr auto lo = std::numeric_limits<std::int64_t>::min();
  constexpr auto hi = std::numeric_limits<std::int64_t>::max();
  json out;
  switch (s.type) {
  case SettingType::string:
    out["type"] = "string";
    if (!s.enum_values.empty()) {
      out["enum"] = std::vector<std::string>(s.enum_values.begin(), s.enum_values.end());
    }
    break;
  case SettingType::boolean:
    out["type"] = "boolean";
    break;
  case SettingType::integer:
    out["type"] = "integer";
    if (s.min != lo) {
      out["minimum"] = s.min;
    }
    if (s.max != hi) {
      out["maximum"] = s.max;
    }
    break;
  case SettingType::duration:
  case SettingType::duration_or_off:
    out["type"] = "string";
    out["pattern"] = duration_pattern(s.type);
    break;
  case SettingType::size: {
    json number{{"type", "integer"}, {"minimum", std::max<std::int64_t>(0, s.min)}};
    if (s.max != hi) {
      number["maximum"] = s.max;
    }
    out["anyOf"] = json::array(
        {number, json{{"type", "string"}, {"pattern", "^[0-9]+(B|KB|MB|GB|KiB|MiB|GiB)?$"}}});
    break;
  }
  case SettingType::rate_or_off:
    out["type"] = "string";
    out["pattern"] = "^(off|[1-9][0-9]*/[smhd])$";
    break;
  case SettingType::listen:
    out["type"] = "string";
    out["pattern"] = "^(\\[[0-9A-Fa-f:.%]+\\]|[A-Za-z0-9._-]+):[0-9]{1,5}$";
    break;
  case SettingType::http_url:
    out["type"] = "string";
    out["pattern"] = "^(|[hH][tT][tT][pP][sS]?://[^\\s]+)$";
    break;
  case SettingType::redis_url:
    out["type"] = "string";
    out["pattern"] = "^(|redis://[^\\s]*|unix:///[^\\s]*)$";
    break;
  case SettingType::enumeration:
    out["enum"] = std::vector<std::string>(s.enum_values.begin(), s.enum_values.end());
    break;
  case SettingType::pointer_list:
    out["type"] = "array";
    out["items"] = json{{"type", "string"}, {"pattern", "^(/([^~]|~[01])*)*$"}};
    break;
  case SettingType::string_list:
    out["type"] = "array";
    out["items"] = json{{"type", "string"}};
    break;
  case SettingType::string_map:
    out["type"] = "object";
    out["additionalProperties"] = json{{"type", "string"}};
    break;
  case SettingType::pointer_map:
    out["type"] = "object";
    out["maxProperties"] = s.max;
    out["propertyNames"] = json{{"pattern", "^[a-z_][a-z0-9_]*$"}};
    out["additionalProperties"] = json{
        {"oneOf",
         json::array(
             {json{{"type", "string"}, {"pattern", "^(/([^~]|~[01])*)*$"}},
              json{{"type", "object"},
                   {"additionalProperties", false},
                   {"required", json::array({"pointer"})},
                   {"properties",
                    json{{"pointer", json{{"type", "string"}, {"pattern", "^(/([^~]|~[01])*)*$"}}},
                         {"unit", json{{"type", "string"}, {"minLength", 1}, {"maxLength", 16}}},
                         {"device_class", json{{"type", "string"}, {"pattern", "^[a-z_]{1,32}$"}}},
                         {"state_class",
                          json{{"type", "string"}, {"pattern", "^[a-z_]{1,32}$"}}}}}}})}};
    break;
  case SettingType::mqtt_url:
    out["type"] = "string";
    out["pattern"] = "^(|[mM][qQ][tT][tT][sS]?://[^\\s]+)$";
    break;
  case SettingType::source_selection:
    out["oneOf"] = json::array(
        {json{{"enum", {"required", "all"}}},
         json{{"type", "array"},
              {"maxItems", s.max},
              {"uniqueItems", true},
              {"items", {{"type", "string"}, {"pattern", std::string(k_source_name_pattern)}}}}});
    break;
  }
  return out;
}

json property_schema(const Setting& s) {
  json out = type_schema(s);
  std::string description(s.doc);
  description += ". Syntax: " + type_description(s);
  if (const auto range = range_description(s); !range.empty()) {
    description += ", " + range;
  }
  description += ".";
  if (s.secret) {
    description += " Secret: shown as <redacted>; use ${NAME} to read it from the environment.";
    out["writeOnly"] = true;
  }
  out["description"] = description;
  out["default"] = default_json(s);
  return out;
}

json object_schema() {
  return json{{"type", "object"}, {"additionalProperties", false}, {"properties", json::object()}};
}

json scoped_schema(std::initializer_list<Scope> scopes) {
  json out = object_schema();
  for (const auto scope : scopes) {
    for (const auto* s : settings_in(scope)) {
      out["properties"][std::string(s->key)] = property_schema(*s);
    }
  }
  return out;
}

std::string env_value(const Setting& s) {
  const json d = default_json(s);
  if (d.is_string()) {
    return d.get<std::string>();
  }
  if (d.is_array()) {
    std::string out;
    for (const auto& item : d) {
      out += (out.empty() ? "" : ",") + item.get<std::string>();
    }
    return out;
  }
  return d.dump();
}

} // namespace

json json_schema() {
  json root = object_schema();
  root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  root["title"] = "homectl configuration";
  root["description"] =
      "The homectl configuration file (JSON; comments and trailing commas are allowed by homectl). "
      "Environment variables HOMECTL_<PATH> override it; ${NAME} in strings reads the environment.";
  root["properties"]["$schema"] =
      json{{"type", "string"}, {"description", "JSON Schema URL for editors"}};
  for (const auto* s : settings_in(Scope::global)) {
    json* node = &root;
    const auto segments = util::split(s->key, '.');
    for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
      json& props = (*node)["properties"];
      if (!props.contains(segments[i])) {
        props[segments[i]] = object_schema();
      }
      node = &props[segments[i]];
    }
    (*node)["properties"][segments.back()] = property_schema(*s);
  }
  root["$defs"]["policy"] = scoped_schema({Scope::policy});
  root["$defs"]["policy"]["description"] =
      "Fetch policy: defaults for every source; a source overrides what it sets";
  root["$defs"]["source"] = scoped_schema({Scope::policy, Scope::source});
  root["$defs"]["source"]["required"] = json::array({"url"});
  root["$defs"]["source"]["description"] = "One upstream to fetch, cache and serve";
  root["$defs"]["notifier"] = scoped_schema({Scope::notifier});
  root["$defs"]["notifier"]["required"] = json::array({"type"});
  root["$defs"]["notifier"]["description"] = "Where the watchdog sends state changes";
  root["properties"]["defaults"] = json{{"$ref", "#/$defs/policy"}};
  root["properties"]["sources"] = json{
      {"type", "object"},
      {"description", "The sources, keyed by name ([a-z0-9][a-z0-9_-]{0,63})"},
      {"patternProperties", {{std::string(k_source_name_pattern), {{"$ref", "#/$defs/source"}}}}},
      {"additionalProperties", false}};
  root["properties"]["watchdog"]["properties"]["notify"] =
      json{{"type", "array"},
           {"description", "Notifiers (ntfy, gotify, webhook, command, heartbeat)"},
           {"items", {{"$ref", "#/$defs/notifier"}}}};
  return root;
}

std::string env_sample() {
  std::ostringstream out;
  out << "# homectl environment variables. Generated by `homectl config env`; do not edit.\n"
         "# Precedence: command-line flags > environment > configuration file > defaults.\n"
         "# Values use the file syntax (durations 5s, sizes 64KiB, rates 60/m); lists are\n"
         "# comma-separated or a JSON array. Per-source variables apply to sources defined\n"
         "# in the file: <NAME> is the source name upper-cased with \"-\" as \"_\".\n"
         "\n"
         "# Configuration file (default: ./homectl.json, $XDG_CONFIG_HOME/homectl/homectl.json,\n"
         "# /etc/homectl/homectl.json)\n"
         "# HOMECTL_CONFIG=\n"
         "\n"
         "# URL of the running daemon for client commands (default: http:// + server.listen)\n"
         "# HOMECTL_URL=\n"
         "\n"
         "# API token for client commands (default: server.api_token)\n"
         "# HOMECTL_TOKEN=\n";
  const auto emit = [&](const Setting& s, const std::string& name, const std::string& value) {
    out << "\n# " << s.doc << "\n# Syntax: " << type_description(s);
    if (const auto range = range_description(s); !range.empty()) {
      out << ", " << range;
    }
    if (s.secret) {
      out << "; secret";
    }
    if (s.scope == Scope::policy && name.starts_with("HOMECTL_SOURCES_")) {
      out << "; default: HOMECTL_DEFAULTS_" << util::to_upper(s.key);
    }
    out << "\n# " << name << "=" << value << "\n";
  };
  for (const auto& s : settings()) {
    if (!env_settable(s)) {
      continue;
    }
    switch (s.scope) {
    case Scope::global:
      emit(s, env_name(s.key), env_value(s));
      break;
    case Scope::policy:
      emit(s, env_name("defaults." + std::string(s.key)), env_value(s));
      break;
    default:
      break;
    }
  }
  for (const auto& s : settings()) {
    if (env_settable(s) && (s.scope == Scope::policy || s.scope == Scope::source)) {
      emit(s, env_name("sources.<name>." + std::string(s.key)),
           s.scope == Scope::policy ? std::string() : env_value(s));
    }
  }
  return out.str();
}

} // namespace homectl::config
