#pragma once

#include "homectl/util/result.hpp"
#include "homectl/util/url.hpp"

#include <string>
#include <string_view>

// What the outbound client does with a parsed URL (util::HttpUrl) beyond
// parsing it: follow a redirect, send its userinfo.
namespace homectl::http {

// Resolves a redirect's Location (absolute, scheme-relative, absolute-path or
// relative-path reference) against the URL that answered with it.
Result<util::HttpUrl> resolve_location(const util::HttpUrl& base, std::string_view location);

// The value of an `Authorization: Basic ...` header for the URL's userinfo.
std::string basic_auth_value(const util::HttpUrl& url);

} // namespace homectl::http
