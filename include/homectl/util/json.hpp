#pragma once

#include "homectl/util/result.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string_view>

// The one way homectl reads a JSON document it did not write itself: upstream
// bodies, Redis payloads, answers of the daemon read by the one-shot commands,
// the watchdog's state file. Nesting is bounded before a deep value is built,
// so no later copy, dump or comparison can recurse past the bound.
namespace homectl::util {

// The deepest nesting parse_json accepts unless told less: `[[1]]` nests 2
// levels, a scalar 0.
inline constexpr int k_max_json_depth = 128;

// Parses one complete JSON document (RFC 8259, no comments; trailing text,
// NUL bytes and invalid UTF-8 are errors). Errors name the byte where the text went
// wrong (counting from 1): "JSON nests deeper than 128 levels at byte 129",
// "invalid JSON at byte 5: syntax error while parsing value - unexpected end
// of input; ...". Callers add where the text came from. A format known to
// nest less (the watchdog state file) passes its own, smaller `max_depth`.
Result<nlohmann::json> parse_json(std::string_view text, int max_depth = k_max_json_depth);

// The byte (counting from 1) of the first `[` or `{` that opens a level
// deeper than `max_depth`, outside strings; 0 when there is none. A cheap
// scan that does not check the rest of the syntax.
std::size_t find_excess_nesting(std::string_view text, int max_depth = k_max_json_depth);

} // namespace homectl::util
