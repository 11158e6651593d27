#pragma once

#include "homectl/config/config.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// `values`: numbers read from a source's (picked) body by JSON Pointer and
// exported as metrics, the way a JSON exporter would, but from the cache.
namespace homectl::sources {

// One configured value as read from one body: a number, or why there is none.
struct ValueReading {
  std::string name;
  std::optional<double> number;
  std::string problem; // empty when number is set, e.g. "nothing at /current/temp"

  bool operator==(const ValueReading&) const = default;
};

// Reads every value (name -> JSON Pointer) from `body`, in name order. A JSON
// number is taken as it is, a boolean as 1 or 0, a string when it holds a
// decimal number ("21.5", "-3", "1e3"); anything else, a pointer that matches
// nothing or a body that is not JSON gives a problem instead of a number.
std::vector<ValueReading> read_values(std::string_view body,
                                      const std::map<std::string, config::ValueSpec>& pointers);

// The number a string holds: optional spaces around a finite decimal number
// (no hex, inf or nan); nullopt otherwise.
std::optional<double> parse_decimal(std::string_view text);

} // namespace homectl::sources
