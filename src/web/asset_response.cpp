#include "homectl/web/asset_response.hpp"

namespace homectl::web {
namespace {

constexpr std::string_view k_whitespace = " \t";

std::string_view trim_ows(std::string_view s) {
  const auto first = s.find_first_not_of(k_whitespace);
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(k_whitespace);
  return s.substr(first, last - first + 1);
}

// Weak comparison ignores the W/ prefix on either side.
std::string_view opaque_tag(std::string_view tag) {
  if (tag.starts_with("W/")) {
    tag.remove_prefix(2);
  }
  return tag;
}

} // namespace

bool if_none_match_matches(std::string_view if_none_match, std::string_view etag) {
  const auto value = trim_ows(if_none_match);
  if (value.empty()) {
    return false;
  }
  if (value == "*") {
    return true;
  }
  // Entity tags are quoted and cannot contain '"', so splitting on ',' outside
  // quotes is all the list grammar needs.
  std::size_t start = 0;
  bool in_quotes = false;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i < value.size() && value[i] == '"') {
      in_quotes = !in_quotes;
    }
    if (i == value.size() || (value[i] == ',' && !in_quotes)) {
      const auto candidate = trim_ows(value.substr(start, i - start));
      if (!candidate.empty() && opaque_tag(candidate) == opaque_tag(etag)) {
        return true;
      }
      start = i + 1;
    }
  }
  return false;
}

AssetResponse respond_to_get(const Asset& asset, std::string_view if_none_match) {
  AssetResponse response;
  response.headers = {
      {"Content-Type", asset.content_type},
      {"ETag", asset.etag},
      // Revalidate every time: the ETag makes that a cheap 304, and a daemon
      // upgrade is visible on the next load.
      {"Cache-Control", "no-cache"},
      {"Content-Security-Policy", k_content_security_policy},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
  };
  if (if_none_match_matches(if_none_match, asset.etag)) {
    response.status = 304;
    return response;
  }
  response.status = 200;
  response.body = asset.content;
  return response;
}

} // namespace homectl::web
