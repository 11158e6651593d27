#include "homectl/sources/pick.hpp"

#include "homectl/util/json.hpp"

#include <nlohmann/json.hpp>

namespace homectl::sources {

Result<std::string> apply_pick(std::string_view body, const std::vector<std::string>& pointers) {
  if (pointers.empty()) {
    return std::string(body);
  }
  // Bounded depth: the copies and the dump below recurse once per level.
  auto parsed = util::parse_json(body);
  if (!parsed) {
    return make_error("pick: upstream body: " + parsed.error().message);
  }
  const nlohmann::json& doc = *parsed;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& text : pointers) {
    nlohmann::json::json_pointer pointer;
    try {
      pointer = nlohmann::json::json_pointer(text);
    } catch (const nlohmann::json::exception&) {
      return make_error("pick: \"" + text + "\" is not a JSON Pointer (e.g. /current/temperature)");
    }
    // contains() throws for a malformed array index ("/a/x" on an array); treat as missing.
    bool found = false;
    try {
      found = doc.contains(pointer);
    } catch (const nlohmann::json::exception&) {
      found = false;
    }
    if (!found) {
      return make_error("pick: \"" + text + "\" not found in the upstream JSON");
    }
    out[text] = doc.at(pointer);
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace homectl::sources
