#include "homectl/config/settings.hpp"

#include "settings_text.hpp"

#include "homectl/config/values.hpp"
#include "homectl/util/url.hpp"

namespace homectl::config {
namespace detail {

std::string join(std::span<const std::string_view> values) {
  std::string out;
  for (const auto& v : values) {
    out += (out.empty() ? "" : ", ") + std::string(v);
  }
  return out;
}

namespace {

// Formats a bound in the setting's own units.
std::string format_bound(const Setting& s, std::int64_t v) {
  switch (s.type) {
  case SettingType::duration:
  case SettingType::duration_or_off:
    return format_duration(Duration{v});
  case SettingType::size:
    return format_size(static_cast<std::size_t>(v));
  default:
    return std::to_string(v);
  }
}

} // namespace

std::string range_text(const Setting& s) {
  constexpr auto lo = std::numeric_limits<std::int64_t>::min();
  constexpr auto hi = std::numeric_limits<std::int64_t>::max();
  if (s.min == lo && s.max == hi) {
    return {};
  }
  if (s.min != lo && s.max != hi) {
    return format_bound(s, s.min) + " to " + format_bound(s, s.max);
  }
  if (s.min != lo) {
    return "at least " + format_bound(s, s.min);
  }
  return "at most " + format_bound(s, s.max);
}

} // namespace detail

using detail::join;
using detail::range_text;

std::string range_description(const Setting& setting) {
  switch (setting.type) {
  case SettingType::integer:
  case SettingType::duration:
  case SettingType::duration_or_off:
  case SettingType::size:
    return range_text(setting);
  case SettingType::pointer_map:
    return "at most " + std::to_string(setting.max) + " entries";
  case SettingType::source_selection:
    return "at most " + std::to_string(setting.max) + " names";
  default:
    return {};
  }
}

std::vector<const Setting*> settings_in(Scope scope) {
  std::vector<const Setting*> out;
  for (const auto& s : settings()) {
    if (s.scope == scope) {
      out.push_back(&s);
    }
  }
  return out;
}

const Setting* find_global_setting(std::string_view path) {
  for (const auto& s : settings()) {
    if (s.scope == Scope::global && s.key == path) {
      return &s;
    }
  }
  return nullptr;
}

std::vector<std::string> setting_paths(const Setting& setting) {
  const std::string key(setting.key);
  switch (setting.scope) {
  case Scope::global:
    return {key};
  case Scope::policy:
    return {"defaults." + key, "sources.<name>." + key};
  case Scope::source:
    return {"sources.<name>." + key};
  case Scope::notifier:
    return {"watchdog.notify[]." + key};
  }
  return {key};
}

std::string env_name(std::string_view path) {
  std::string out = "HOMECTL_";
  for (const char c : path) {
    if (c == '.' || c == '-') {
      out += '_';
    } else {
      out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
  }
  return out;
}

bool env_settable(const Setting& setting) {
  return setting.scope != Scope::notifier && setting.type != SettingType::string_map &&
         setting.type != SettingType::pointer_map;
}

nlohmann::json value_spec_to_json(const ValueSpec& spec) {
  if (spec.pointer_only()) {
    return spec.pointer;
  }
  nlohmann::json out{{"pointer", spec.pointer}};
  if (!spec.unit.empty()) {
    out["unit"] = spec.unit;
  }
  if (!spec.device_class.empty()) {
    out["device_class"] = spec.device_class;
  }
  if (!spec.state_class.empty()) {
    out["state_class"] = spec.state_class;
  }
  return out;
}

Value default_value(const Setting& setting) {
  static const Config k_config{};
  static const FetchPolicy k_policy{};
  static const SourceConfig k_source{};
  static const NotifierConfig k_notifier{};
  switch (setting.scope) {
  case Scope::global:
    return setting.get(&k_config);
  case Scope::policy:
    return setting.get(&k_policy);
  case Scope::source:
    return setting.get(&k_source);
  case Scope::notifier:
    return setting.get(&k_notifier);
  }
  return setting.get(&k_config);
}

nlohmann::json default_json(const Setting& setting) {
  return value_to_json(setting, default_value(setting), false);
}

std::string type_description(const Setting& setting) {
  switch (setting.type) {
  case SettingType::string:
    return setting.enum_values.empty() ? "a string" : "one of " + join(setting.enum_values);
  case SettingType::boolean:
    return "true or false";
  case SettingType::integer:
    return "a whole number";
  case SettingType::duration:
    return "a duration (e.g. 30s, 5m)";
  case SettingType::duration_or_off:
    return "a duration or \"off\" (e.g. 30s, 5m)";
  case SettingType::size:
    return "a size (e.g. 512, 64KiB, 10MB)";
  case SettingType::rate_or_off:
    return "a rate or \"off\" (e.g. 20/s, 60/m, 1000/h)";
  case SettingType::listen:
    return "a listen address (e.g. 127.0.0.1:8080 or [::1]:8080)";
  case SettingType::http_url:
    return "an http or https URL";
  case SettingType::redis_url:
    return "a Redis URL (redis://[user:password@]host[:port][/db] or unix:///path)";
  case SettingType::enumeration:
    return "one of " + join(setting.enum_values);
  case SettingType::pointer_list:
    return "an array of JSON Pointers (e.g. [\"/current\"])";
  case SettingType::string_list:
    return "an array of strings";
  case SettingType::string_map:
    return "an object of string values";
  case SettingType::pointer_map:
    return "an object of names to JSON Pointers or to objects with \"pointer\" and optional "
           "\"unit\", \"device_class\", \"state_class\" (e.g. {\"temperature\": "
           "\"/current/temp\"})";
  case SettingType::source_selection:
    return "\"required\", \"all\" or an array of source names (e.g. [\"weather\", \"plug\"])";
  case SettingType::mqtt_url:
    return "an MQTT URL (mqtt://[user:password@]host[:1883] or mqtts://...[:8883])";
  }
  return "a value";
}

nlohmann::json value_to_json(const Setting& setting, const Value& value, bool redact) {
  return std::visit(
      [&](const auto& v) -> nlohmann::json {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, bool> || std::is_same_v<V, std::vector<std::string>>) {
          return v;
        } else if constexpr (std::is_same_v<V, std::int64_t>) {
          if (setting.type == SettingType::enumeration && v >= 0 &&
              static_cast<std::size_t>(v) < setting.enum_values.size()) {
            return std::string(setting.enum_values[static_cast<std::size_t>(v)]);
          }
          return v;
        } else if constexpr (std::is_same_v<V, std::string>) {
          if (redact && setting.secret && !v.empty()) {
            return "<redacted>";
          }
          if (redact && setting.type == SettingType::mqtt_url) {
            return util::redact_url(v);
          }
          if (redact && setting.type == SettingType::http_url) {
            return util::redact_url(v, setting.secret_path ? util::UrlPath::secret
                                                           : util::UrlPath::shown);
          }
          return v;
        } else if constexpr (std::is_same_v<V, Duration>) {
          return format_duration(v);
        } else if constexpr (std::is_same_v<V, std::optional<Duration>>) {
          return v ? format_duration(*v) : std::string("off");
        } else if constexpr (std::is_same_v<V, std::size_t>) {
          const std::string text = format_size(v);
          if (text == std::to_string(v)) {
            return v;
          }
          return text;
        } else if constexpr (std::is_same_v<V, std::optional<Rate>>) {
          return v ? format_rate(*v) : std::string("off");
        } else if constexpr (std::is_same_v<V, ListenAddress>) {
          return format_listen(v);
        } else if constexpr (std::is_same_v<V, WatchedSources>) {
          switch (v.mode) {
          case WatchedSources::Mode::all:
            return "all";
          case WatchedSources::Mode::list:
            return v.names;
          case WatchedSources::Mode::required:
            break;
          }
          return "required";
        } else if constexpr (std::is_same_v<V, std::map<std::string, ValueSpec>>) {
          nlohmann::json out = nlohmann::json::object();
          for (const auto& [k, spec] : v) {
            out[k] = value_spec_to_json(spec);
          }
          return out;
        } else {
          nlohmann::json out = nlohmann::json::object();
          for (const auto& [k, item] : v) {
            out[k] = redact && setting.secret ? std::string("<redacted>") : item;
          }
          return out;
        }
      },
      value);
}

} // namespace homectl::config
