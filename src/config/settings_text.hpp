#pragma once

#include "homectl/config/settings.hpp"

#include <span>
#include <string>
#include <string_view>

// Internal to the config area: the wording that the settings' descriptions
// (settings.cpp) and their value parsers (settings_parse.cpp) share.
namespace homectl::config::detail {

// "a, b, c": a setting's allowed names in one line.
std::string join(std::span<const std::string_view> values);

// A setting's bounds in its own units ("1s to 1h", "at least 1"), or "" if unbounded.
std::string range_text(const Setting& setting);

} // namespace homectl::config::detail
