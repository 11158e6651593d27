// The settings' value parsers: a JSON value, or the text of an environment
// variable or flag, read into a setting's Value and checked against its bounds.
#include "homectl/config/settings.hpp"

#include "settings_text.hpp"

#include "homectl/config/values.hpp"
#include "homectl/util/json.hpp"
#include "homectl/util/strings.hpp"
#include "homectl/util/url.hpp"

#include <algorithm>
#include <charconv>

namespace homectl::config {
namespace {

using detail::join;
using detail::range_text;

// A short rendering of a JSON value for messages ("got 5", "got true").
std::string describe(const nlohmann::json& node, bool secret) {
  const char* kind = node.is_string()    ? "a string"
                     : node.is_boolean() ? "a boolean"
                     : node.is_number()  ? "a number"
                     : node.is_array()   ? "an array"
                     : node.is_object()  ? "an object"
                                         : "null";
  if (secret || node.is_array() || node.is_object()) {
    return kind;
  }
  std::string text = node.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 60) {
    text = text.substr(0, 57) + "...";
  }
  return text;
}

Result<Value> check_bounds(const Setting& s, std::int64_t v, Value value, std::string_view shown) {
  if (v < s.min || v > s.max) {
    return make_error((s.secret ? std::string("the value") : std::string(shown)) +
                      " is out of range (" + range_text(s) + ")");
  }
  return value;
}

// A secret's parse error says what was expected without echoing the value.
Error hide_secret(const Setting& s, Error e) {
  if (s.secret) {
    return Error{"the value (not shown) is not " + type_description(s)};
  }
  return e;
}

template <typename T>
Result<Value> value_or_hidden(const Setting& s, Result<T> parsed) {
  if (!parsed) {
    return hide_secret(s, parsed.error());
  }
  return Value{std::move(*parsed)};
}

Error not_one_of(const Setting& s, const std::string& text) {
  std::vector<std::string> names(s.enum_values.begin(), s.enum_values.end());
  std::string message = util::quote(text) + " is not one of " + join(s.enum_values);
  if (auto hint = util::did_you_mean(text, names)) {
    message += "; did you mean " + util::quote(*hint) + "?";
  }
  return make_error(message);
}

// A string, or with enum_values one of those names, kept as text.
Result<Value> parse_string_text(const Setting& s, const std::string& text) {
  if (s.enum_values.empty() ||
      std::find(s.enum_values.begin(), s.enum_values.end(), text) != s.enum_values.end()) {
    return Value{text};
  }
  return not_one_of(s, text);
}

// One of enum_values, kept as its index.
Result<Value> parse_enumeration_text(const Setting& s, const std::string& text) {
  for (std::size_t i = 0; i < s.enum_values.size(); ++i) {
    if (s.enum_values[i] == text) {
      return Value{static_cast<std::int64_t>(i)};
    }
  }
  return not_one_of(s, text);
}

Result<Value> parse_duration_text(const Setting& s, const std::string& text) {
  if (s.type == SettingType::duration) {
    auto d = parse_duration(text);
    if (!d) {
      return hide_secret(s, d.error());
    }
    return check_bounds(s, d->count(), Value{*d}, util::quote(text));
  }
  auto d = parse_duration_or_off(text);
  if (!d) {
    return hide_secret(s, d.error());
  }
  if (!d->has_value()) {
    return Value{*d};
  }
  return check_bounds(s, (*d)->count(), Value{*d}, util::quote(text));
}

Result<Value> parse_size_text(const Setting& s, const std::string& text) {
  auto n = parse_size(text);
  if (!n) {
    return hide_secret(s, n.error());
  }
  if (*n > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())) {
    return make_error(util::quote(text) + " is out of range (" + range_text(s) + ")");
  }
  return check_bounds(s, static_cast<std::int64_t>(*n), Value{*n}, util::quote(text));
}

// An http(s) or Redis URL; "" leaves it unset.
Result<Value> parse_url_text(const Setting& s, const std::string& text) {
  if (text.empty()) {
    return Value{text};
  }
  if (s.type == SettingType::http_url) {
    return value_or_hidden(s, parse_http_url(text));
  }
  if (s.type == SettingType::mqtt_url) {
    auto u = util::parse_mqtt_url(text);
    if (!u) {
      return u.error(); // quotes the URL only redacted
    }
    return Value{text};
  }
  auto u = parse_redis_url(text);
  if (!u) {
    return u.error(); // never quotes the URL
  }
  return Value{*u};
}

Result<Value> parse_string_value(const Setting& s, const std::string& text) {
  switch (s.type) {
  case SettingType::string:
    return parse_string_text(s, text);
  case SettingType::enumeration:
    return parse_enumeration_text(s, text);
  case SettingType::duration:
  case SettingType::duration_or_off:
    return parse_duration_text(s, text);
  case SettingType::size:
    return parse_size_text(s, text);
  case SettingType::rate_or_off:
    return value_or_hidden(s, parse_rate_or_off(text));
  case SettingType::listen:
    return value_or_hidden(s, parse_listen(text));
  case SettingType::http_url:
  case SettingType::redis_url:
  case SettingType::mqtt_url:
    return parse_url_text(s, text);
  default:
    return make_error("expected " + type_description(s) + ", got " +
                      (s.secret ? std::string("a string") : util::quote(text)));
  }
}

Result<std::vector<std::string>> parse_string_array(const Setting& s, const nlohmann::json& node) {
  if (!node.is_array()) {
    return make_error("expected " + type_description(s) + ", got " + describe(node, s.secret));
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto& item = node[i];
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
                                                            const nlohmann::json& node) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : node.items()) {
    if (!v.is_string()) {
      return make_error(util::quote(k) + ": expected a string, got " + describe(v, s.secret));
    }
    out[k] = v.get_ref<const std::string&>();
  }
  return out;
}

// device_class, state_class: what Home Assistant names them, [a-z_], short.
bool is_class_name(std::string_view text) {
  constexpr std::size_t k_max_class = 32;
  return !text.empty() && text.size() <= k_max_class &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

// unit: short, printable (UTF-8 such as "°C" allowed), no control characters.
bool is_unit(std::string_view text) {
  constexpr std::size_t k_max_unit = 16;
  return !text.empty() && text.size() <= k_max_unit &&
         std::none_of(text.begin(), text.end(), [](char c) {
           const auto u = static_cast<unsigned char>(c);
           return u < 0x20 || u == 0x7f;
         });
}

// One `values` entry: a JSON Pointer, or {"pointer", "unit", "device_class", "state_class"}.
Result<ValueSpec> parse_value_spec(const std::string& name, const nlohmann::json& v) {
  if (v.is_string()) {
    const auto& text = v.get_ref<const std::string&>();
    if (auto p = parse_json_pointer(text); !p) {
      return make_error(util::quote(name) + ": " + p.error().message);
    }
    return ValueSpec{text};
  }
  if (!v.is_object()) {
    return make_error(util::quote(name) +
                      ": expected a JSON Pointer or an object with \"pointer\", got " +
                      describe(v, false));
  }
  static const std::vector<std::string> k_keys{"pointer", "unit", "device_class", "state_class"};
  ValueSpec spec;
  bool has_pointer = false;
  for (const auto& [key, item] : v.items()) {
    if (std::find(k_keys.begin(), k_keys.end(), key) == k_keys.end()) {
      std::string message = util::quote(name) + ": unknown key " +
                            util::quote(key.size() > 40 ? key.substr(0, 40) + "..." : key);
      if (auto hint = util::did_you_mean(key, k_keys)) {
        message += "; did you mean " + util::quote(*hint) + "?";
      }
      return make_error(message);
    }
    if (!item.is_string()) {
      return make_error(util::quote(name) + "." + key + ": expected a string, got " +
                        describe(item, false));
    }
    const auto& text = item.get_ref<const std::string&>();
    if (key == "pointer") {
      if (auto p = parse_json_pointer(text); !p) {
        return make_error(util::quote(name) + ": " + p.error().message);
      }
      spec.pointer = text;
      has_pointer = true;
    } else if (key == "unit") {
      if (!is_unit(text)) {
        return make_error(util::quote(name) + ".unit: " + describe(item, false) +
                          " is not a unit: 1 to 16 bytes, no control characters (e.g. \"°C\")");
      }
      spec.unit = text;
    } else if (!is_class_name(text)) {
      return make_error(util::quote(name) + "." + key + ": " + describe(item, false) +
                        " is not a class name: 1 to 32 of a-z and _ (e.g. \"" +
                        (key == "device_class" ? "temperature" : "measurement") + "\")");
    } else if (key == "device_class") {
      spec.device_class = text;
    } else {
      spec.state_class = text;
    }
  }
  if (!has_pointer) {
    return make_error(util::quote(name) +
                      ": the object needs a \"pointer\" (e.g. {\"pointer\": \"/temp\"})");
  }
  return spec;
}

Result<std::map<std::string, ValueSpec>> parse_value_map(const Setting& s,
                                                         const nlohmann::json& node) {
  if (node.size() > static_cast<std::size_t>(s.max)) {
    return make_error(std::to_string(node.size()) + " entries, more than the " +
                      std::to_string(s.max) + " allowed");
  }
  std::map<std::string, ValueSpec> out;
  for (const auto& [k, v] : node.items()) {
    if (!is_value_name(k)) {
      return make_error(util::quote(k) + " is not a valid name: use lower-case letters, digits and "
                                         "_, not starting with a digit");
    }
    auto spec = parse_value_spec(k, v);
    if (!spec) {
      return spec.error();
    }
    out[k] = std::move(*spec);
  }
  return out;
}

Result<Value> mismatch(const Setting& s, const nlohmann::json& node) {
  if (s.type == SettingType::duration || s.type == SettingType::duration_or_off) {
    if (node.is_number_integer() && !s.secret) {
      return make_error(node.dump() + " is not a duration: add a unit in quotes (e.g. \"" +
                        node.dump() + "s\")");
    }
  }
  return make_error("expected " + type_description(s) + ", got " + describe(node, s.secret));
}

Result<Value> parse_integer_json(const Setting& s, const nlohmann::json& node) {
  if (node.is_number_float()) {
    return make_error((s.secret ? std::string("the value") : node.dump()) +
                      " is not a whole number");
  }
  if (!node.is_number_integer()) {
    return mismatch(s, node);
  }
  if (node.is_number_unsigned() && node.get<std::uint64_t>() > static_cast<std::uint64_t>(s.max)) {
    return make_error(node.dump() + " is out of range (" + range_text(s) + ")");
  }
  const auto v = node.get<std::int64_t>();
  return check_bounds(s, v, Value{v}, node.dump());
}

// A size as a number of bytes, or as text with a unit.
Result<Value> parse_size_json(const Setting& s, const nlohmann::json& node) {
  if (!node.is_number_integer()) {
    if (!node.is_string()) {
      return mismatch(s, node);
    }
    return parse_string_value(s, node.get<std::string>());
  }
  if (node.is_number_unsigned() || node.get<std::int64_t>() >= 0) {
    const auto v = node.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return make_error(node.dump() + " is out of range (" + range_text(s) + ")");
    }
    return check_bounds(s, static_cast<std::int64_t>(v), Value{static_cast<std::size_t>(v)},
                        node.dump());
  }
  return make_error(node.dump() + " is not a size: negative sizes are not allowed");
}

Result<Value> parse_map_json(const Setting& s, const nlohmann::json& node) {
  if (!node.is_object()) {
    return mismatch(s, node);
  }
  if (s.type == SettingType::pointer_map) {
    auto values = parse_value_map(s, node);
    if (!values) {
      return values.error();
    }
    return Value{std::move(*values)};
  }
  auto map = parse_string_map(s, node);
  if (!map) {
    return map.error();
  }
  return Value{std::move(*map)};
}

// "required", "all", or an array of distinct source names (at most s.max).
Result<Value> parse_source_selection(const Setting& s, const nlohmann::json& node) {
  WatchedSources out;
  if (node.is_string()) {
    const auto& text = node.get_ref<const std::string&>();
    if (text == "required" || text == "all") {
      out.mode = text == "all" ? WatchedSources::Mode::all : WatchedSources::Mode::required;
      return Value{std::move(out)};
    }
    std::string message = describe(node, false) +
                          " is not \"required\" or \"all\"; name sources in an array " +
                          "(e.g. [\"weather\"])";
    static const std::vector<std::string> k_words{"required", "all"};
    if (auto hint = util::did_you_mean(text, k_words)) {
      message += "; did you mean " + util::quote(*hint) + "?";
    }
    return make_error(message);
  }
  if (!node.is_array()) {
    return mismatch(s, node);
  }
  if (node.size() > static_cast<std::size_t>(s.max)) {
    return make_error(std::to_string(node.size()) + " names, more than the " +
                      std::to_string(s.max) + " allowed");
  }
  out.mode = WatchedSources::Mode::list;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto& item = node[i];
    if (!item.is_string()) {
      return make_error("item " + std::to_string(i) + ": expected a source name, got " +
                        describe(item, false));
    }
    const auto& name = item.get_ref<const std::string&>();
    if (auto valid = parse_source_name(name); !valid) {
      return make_error("item " + std::to_string(i) + ": " + valid.error().message);
    }
    if (std::find(out.names.begin(), out.names.end(), name) != out.names.end()) {
      return make_error("item " + std::to_string(i) + ": " + util::quote(name) +
                        " is listed twice");
    }
    out.names.push_back(name);
  }
  return Value{std::move(out)};
}

} // namespace

Result<Value> parse_value(const Setting& s, const nlohmann::json& node) {
  switch (s.type) {
  case SettingType::boolean:
    if (!node.is_boolean()) {
      return mismatch(s, node);
    }
    return Value{node.get<bool>()};
  case SettingType::integer:
    return parse_integer_json(s, node);
  case SettingType::size:
    return parse_size_json(s, node);
  case SettingType::pointer_list:
  case SettingType::string_list: {
    auto list = parse_string_array(s, node);
    if (!list) {
      return list.error();
    }
    return Value{std::move(*list)};
  }
  case SettingType::string_map:
  case SettingType::pointer_map:
    return parse_map_json(s, node);
  case SettingType::source_selection:
    return parse_source_selection(s, node);
  default:
    if (!node.is_string()) {
      return mismatch(s, node);
    }
    return parse_string_value(s, node.get<std::string>());
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
  case SettingType::source_selection:
  case SettingType::pointer_list:
  case SettingType::string_list:
  case SettingType::string_map:
  case SettingType::pointer_map: {
    if (setting.type == SettingType::source_selection) {
      // "required" and "all" are the words; anything else lists names.
      if (const auto t = util::trim(text); t == "required" || t == "all") {
        return std::string(t);
      }
    }
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

} // namespace homectl::config
