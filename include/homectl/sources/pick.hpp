#pragma once

#include "homectl/util/result.hpp"

#include <string>
#include <string_view>
#include <vector>

// `pick`: cuts an upstream JSON body down to the values consumers need.
namespace homectl::sources {

// Returns a compact JSON object whose keys are the given JSON Pointers
// (RFC 6901) and whose values are the picked values, e.g. pointers
// ["/current/temp"] on {"current":{"temp":3}} give {"/current/temp":3}.
// With no pointers the body is returned unchanged. Invalid JSON, an invalid
// pointer or a pointer that matches nothing is an Error naming the problem.
Result<std::string> apply_pick(std::string_view body, const std::vector<std::string>& pointers);

} // namespace homectl::sources
