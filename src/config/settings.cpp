#include "homectl/config/settings.hpp"

#include "homectl/config/values.hpp"
#include "homectl/util/json.hpp"
#include "homectl/util/strings.hpp"
#include "homectl/util/url.hpp"

#include <algorithm>
#include <charconv>

namespace homectl::config {
namespace {

std::string quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// A short rendering of a JSON value for messages ("got 5", "got true").
std::string describe(const nlohmann::json& json, bool secret) {
  const char* kind = json.is_string()    ? "a string"
                     : json.is_boolean() ? "a boolean"
                     : json.is_number()  ? "a number"
                     : json.is_array()   ? "an array"
                     : json.is_object()  ? "an object"
                                         : "null";
  if (secret || json.is_array() || json.is_object()) {
    return kind;
  }
  std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 60) {
    text = text.substr(0, 57) + "...";
  }
  return text;
}

std::string join(std::span<const std::string_view> values) {
  std::string out;
  for (const auto& v : values) {
    out += (out.empty() ? "" : ", ") + std::string(v);
  }
  return out;
}

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

Result<Value> check_bounds(const Setting& s, std::int64_t v, Value value, std::string_view shown) {
  if (v < s.min || v > s.max) {
    return make_error((s.secret ? std::string("the value") : std::string(shown)) +
                      " is out of range (" + range_text(s) + ")");
  }
  return value;
}

Result<Value> parse_string_value(const Setting& s, const std::string& text) {
  const auto hide = [&](Error e) -> Error {
    if (s.secret) {
      return Error{"the value (not shown) is not " + type_description(s)};
    }
    return e;
  };
  switch (s.type) {
  case SettingType::string: {
    if (!s.enum_values.empty()) {
      for (const auto& v : s.enum_values) {
        if (v == text) {
          return Value{text};
        }
      }
      std::vector<std::string> names(s.enum_values.begin(), s.enum_values.end());
      std::string message = quote(text) + " is not one of " + join(s.enum_values);
      if (auto hint = util::did_you_mean(text, names)) {
        message += "; did you mean " + quote(*hint) + "?";
      }
      return make_error(message);
    }
    return Value{text};
  }
  case SettingType::enumeration: {
    for (std::size_t i = 0; i < s.enum_values.size(); ++i) {
      if (s.enum_values[i] == text) {
        return Value{static_cast<std::int64_t>(i)};
      }
    }
    std::vector<std::string> names(s.enum_values.begin(), s.enum_values.end());
    std::string message = quote(text) + " is not one of " + join(s.enum_values);
    if (auto hint = util::did_you_mean(text, names)) {
      message += "; did you mean " + quote(*hint) + "?";
    }
    return make_error(message);
  }
  case SettingType::duration: {
    auto d = parse_duration(text);
    if (!d) {
      return hide(d.error());
    }
    return check_bounds(s, d->count(), Value{*d}, quote(text));
  }
  case SettingType::duration_or_off: {
    auto d = parse_duration_or_off(text);
    if (!d) {
      return hide(d.error());
    }
    if (!d->has_value()) {
      return Value{*d};
    }
    return check_bounds(s, (*d)->count(), Value{*d}, quote(text));
  }
  case SettingType::size: {
    auto n = parse_size(text);
    if (!n) {
      return hide(n.error());
    }
    if (*n > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())) {
      return make_error(quote(text) + " is out of range (" + range_text(s) + ")");
    }
    return check_bounds(s, static_cast<std::int64_t>(*n), Value{*n}, quote(text));
  }
  case SettingType::rate_or_off: {
    auto r = parse_rate_or_off(text);
    if (!r) {
      return hide(r.error());
    }
    return Value{*r};
  }
  case SettingType::listen: {
    auto a = parse_listen(text);
    if (!a) {
      return hide(a.error());
    }
    return Value{*a};
  }
  case SettingType::http_url: {
    if (text.empty()) {
      return Value{text};
    }
    auto u = parse_http_url(text);
    if (!u) {
      return hide(u.error());
    }
    return Value{*u};
  }
  case SettingType::redis_url: {
    if (text.empty()) {
      return Value{text};
    }
    auto u = parse_redis_url(text);
    if (!u) {
      return u.error(); // never quotes the URL
    }
    return Value{*u};
  }
  default:
    return make_error("expected " + type_description(s) + ", got " +
                      (s.secret ? std::string("a string") : quote(text)));
  }
}

Result<std::vector<std::string>> parse_string_array(const Setting& s, const nlohmann::json& json) {
  if (!json.is_array()) {
    return make_error("expected " + type_description(s) + ", got " + describe(json, s.secret));
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const auto& item = json[i];
    if (!item.is_string()) {
      return make_error("item " + std::to_string(i) + ": expected a string, got " +
                        describe(item, s.secret));
    }
    const auto& text = item.get_ref<const std::string&>();
    if (s.type == SettingType::pointer_list) {
      auto p = parse_json_pointer(text);
      if (!p) {
        return make_error("item " + std::to_string(i) + ": " + p.error().message);
      }
    }
    out.push_back(text);
  }
  return out;
}

bool is_value_name(std::string_view name) {
  const auto lower_or_underscore = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  return !name.empty() && lower_or_underscore(name.front()) &&
         std::all_of(name.begin(), name.end(),
                     [&](char c) { return lower_or_underscore(c) || (c >= '0' && c <= '9'); });
}

Result<std::map<std::string, std::string>> parse_string_map(const Setting& s,
                                                            const nlohmann::json& json) {
  const bool pointers = s.type == SettingType::pointer_map;
  if (pointers && json.size() > static_cast<std::size_t>(s.max)) {
    return make_error(std::to_string(json.size()) + " entries, more than the " +
                      std::to_string(s.max) + " allowed");
  }
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : json.items()) {
    if (!v.is_string()) {
      return make_error(quote(k) + ": expected a string, got " + describe(v, s.secret));
    }
    const auto& text = v.get_ref<const std::string&>();
    if (pointers) {
      if (!is_value_name(k)) {
        return make_error(quote(k) + " is not a valid name: use lower-case letters, digits and "
                                     "_, not starting with a digit");
      }
      if (auto p = parse_json_pointer(text); !p) {
        return make_error(quote(k) + ": " + p.error().message);
      }
    }
    out[k] = text;
  }
  return out;
}

} // namespace

std::string range_description(const Setting& setting) {
  switch (setting.type) {
  case SettingType::integer:
  case SettingType::duration:
  case SettingType::duration_or_off:
  case SettingType::size:
    return range_text(setting);
  case SettingType::pointer_map:
    return "at most " + std::to_string(setting.max) + " entries";
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
    return "an object of names to JSON Pointers (e.g. {\"temperature\": \"/current/temp\"})";
  }
  return "a value";
}

Result<Value> parse_value(const Setting& s, const nlohmann::json& json) {
  const auto mismatch = [&]() -> Result<Value> {
    if (s.type == SettingType::duration || s.type == SettingType::duration_or_off) {
      if (json.is_number_integer() && !s.secret) {
        return make_error(json.dump() + " is not a duration: add a unit in quotes (e.g. \"" +
                          json.dump() + "s\")");
      }
    }
    return make_error("expected " + type_description(s) + ", got " + describe(json, s.secret));
  };
  switch (s.type) {
  case SettingType::boolean:
    if (!json.is_boolean()) {
      return mismatch();
    }
    return Value{json.get<bool>()};
  case SettingType::integer: {
    if (json.is_number_float()) {
      return make_error((s.secret ? std::string("the value") : json.dump()) +
                        " is not a whole number");
    }
    if (!json.is_number_integer()) {
      return mismatch();
    }
    if (json.is_number_unsigned() &&
        json.get<std::uint64_t>() > static_cast<std::uint64_t>(s.max)) {
      return make_error(json.dump() + " is out of range (" + range_text(s) + ")");
    }
    const auto v = json.get<std::int64_t>();
    return check_bounds(s, v, Value{v}, json.dump());
  }
  case SettingType::size:
    if (json.is_number_integer()) {
      if (json.is_number_unsigned() || json.get<std::int64_t>() >= 0) {
        const auto v = json.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          return make_error(json.dump() + " is out of range (" + range_text(s) + ")");
        }
        return check_bounds(s, static_cast<std::int64_t>(v), Value{static_cast<std::size_t>(v)},
                            json.dump());
      }
      return make_error(json.dump() + " is not a size: negative sizes are not allowed");
    }
    if (!json.is_string()) {
      return mismatch();
    }
    return parse_string_value(s, json.get<std::string>());
  case SettingType::pointer_list:
  case SettingType::string_list: {
    auto list = parse_string_array(s, json);
    if (!list) {
      return list.error();
    }
    return Value{std::move(*list)};
  }
  case SettingType::string_map:
  case SettingType::pointer_map: {
    if (!json.is_object()) {
      return mismatch();
    }
    auto map = parse_string_map(s, json);
    if (!map) {
      return map.error();
    }
    return Value{std::move(*map)};
  }
  default:
    if (!json.is_string()) {
      return mismatch();
    }
    return parse_string_value(s, json.get<std::string>());
  }
}

nlohmann::json text_to_json(const Setting& setting, std::string_view text) {
  switch (setting.type) {
  case SettingType::boolean: {
    const std::string lower = util::to_lower(text);
    if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") {
      return true;
    }
    if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
      return false;
    }
    return std::string(text);
  }
  case SettingType::integer:
  case SettingType::size: {
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (!text.empty() && ec == std::errc{} && ptr == text.data() + text.size()) {
      return v;
    }
    return std::string(text);
  }
  case SettingType::pointer_list:
  case SettingType::string_list:
  case SettingType::string_map:
  case SettingType::pointer_map: {
    if (const auto t = util::trim(text); t.starts_with('[') || t.starts_with('{')) {
      // Not JSON (or nested too deep): kept as text, which validation
      // then refuses with the setting's name and the expected type.
      if (auto parsed = util::parse_json(t)) {
        return std::move(parsed.value());
      }
      return std::string(text);
    }
    nlohmann::json list = nlohmann::json::array();
    if (!util::trim(text).empty()) {
      for (const auto& item : util::split(text, ',')) {
        list.push_back(std::string(util::trim(item)));
      }
    }
    return list;
  }
  default:
    return std::string(text);
  }
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
