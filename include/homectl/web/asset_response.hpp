#pragma once

#include "homectl/web/assets.hpp"

#include <string_view>
#include <vector>

// How the daemon answers a GET of a status-page asset, kept free of any HTTP
// library so the rules (headers, conditional requests) are tested on their own.
namespace homectl::web {

// The Content-Security-Policy every page asset carries: nothing but the daemon's
// own origin, no inline script or style, no framing, no form posts.
inline constexpr std::string_view k_content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// One response header (views into static strings or the asset).
struct Header {
  std::string_view name;
  std::string_view value;
};

// The answer to a GET: 200 with the body, or 304 with no body. Content-Length
// is left to the HTTP layer.
struct AssetResponse {
  unsigned status = 200;
  std::vector<Header> headers;
  std::string_view body;
};

// True when an If-None-Match field value matches `etag` (RFC 9110 §13.1.2: "*",
// or any listed entity tag equal under weak comparison). Empty never matches.
bool if_none_match_matches(std::string_view if_none_match, std::string_view etag);

// The answer to `GET asset.path` given the request's If-None-Match value (empty
// when absent): Content-Type, ETag, Cache-Control: no-cache, CSP, nosniff,
// Referrer-Policy; 304 when the client's copy is current.
AssetResponse respond_to_get(const Asset& asset, std::string_view if_none_match);

} // namespace homectl::web
