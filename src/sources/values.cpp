#include "homectl/sources/values.hpp"

#include "homectl/util/json.hpp"
#include "homectl/util/strings.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace homectl::sources {
namespace {

const char* kind_of(const nlohmann::json& value) {
  if (value.is_null()) {
    return "null";
  }
  if (value.is_object()) {
    return "an object";
  }
  if (value.is_array()) {
    return "an array";
  }
  return "a string";
}

ValueReading read_one(const nlohmann::json& doc, const std::string& name, const std::string& text) {
  ValueReading reading{name, std::nullopt, {}};
  const nlohmann::json* found = nullptr;
  try {
    const nlohmann::json::json_pointer pointer(text);
    // contains() throws for a malformed array index ("/a/x" on an array).
    if (doc.contains(pointer)) {
      found = &doc.at(pointer);
    }
  } catch (const nlohmann::json::exception&) {
    found = nullptr;
  }
  if (found == nullptr) {
    reading.problem = "nothing at " + text;
    return reading;
  }
  if (found->is_boolean()) {
    reading.number = found->get<bool>() ? 1.0 : 0.0;
  } else if (found->is_number()) {
    reading.number = found->get<double>();
  } else if (found->is_string()) {
    reading.number = parse_decimal(found->get_ref<const std::string&>());
    if (!reading.number) {
      reading.problem = "the string at " + text + " is not a decimal number";
    }
    return reading;
  } else {
    reading.problem = std::string("not a number at ") + text + ": " + kind_of(*found);
    return reading;
  }
  if (!std::isfinite(*reading.number)) {
    reading.number.reset();
    reading.problem = "the number at " + text + " is out of range";
  }
  return reading;
}

} // namespace

std::optional<double> parse_decimal(std::string_view text) {
  text = util::trim(text);
  if (text.empty()) {
    return std::nullopt;
  }
  // from_chars would also take "inf", "nan" and "infinity": only digits may start a number.
  const std::size_t first_digit = text.front() == '-' ? 1 : 0;
  if (first_digit >= text.size() || (text[first_digit] < '0' || text[first_digit] > '9')) {
    return std::nullopt;
  }
  double value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::vector<ValueReading> read_values(std::string_view body,
                                      const std::map<std::string, config::ValueSpec>& pointers) {
  std::vector<ValueReading> out;
  if (pointers.empty()) {
    return out;
  }
  auto doc = util::parse_json(body);
  for (const auto& [name, spec] : pointers) {
    if (!doc) {
      out.push_back({name, std::nullopt, "the body is not JSON: " + doc.error().message});
    } else {
      out.push_back(read_one(*doc, name, spec.pointer));
    }
  }
  return out;
}

} // namespace homectl::sources
