#include "homectl/http/client_url.hpp"

#include "homectl/util/strings.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace homectl::http {

namespace {

bool valid_target(std::string_view target) {
  return std::none_of(target.begin(), target.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

// RFC 3986 §5.2.4, on a path without query.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string> segments;
  auto parts = util::split(path, '/');
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    bool last = i + 1 == parts.size();
    if (p == ".") {
      if (last) {
        segments.emplace_back();
      }
    } else if (p == "..") {
      if (segments.size() > 1) {
        segments.pop_back();
      }
      if (last) {
        segments.emplace_back();
      }
    } else {
      segments.push_back(p);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) {
      out.push_back('/');
    }
    out.append(segments[i]);
  }
  if (out.empty() || out.front() != '/') {
    out.insert(out.begin(), '/');
  }
  return out;
}

} // namespace

Result<util::HttpUrl> resolve_location(const util::HttpUrl& base, std::string_view location) {
  location = util::trim(location);
  if (location.empty()) {
    return make_error("redirect without a Location");
  }
  auto scheme_end = location.find("://");
  auto first_special = location.find_first_of("/?#");
  if (scheme_end != std::string_view::npos &&
      (first_special == std::string_view::npos || first_special > scheme_end)) {
    return util::parse_http_url(location);
  }
  if (location.starts_with("//")) {
    return util::parse_http_url(std::string(base.tls ? "https:" : "http:") + std::string(location));
  }
  util::HttpUrl out = base;
  if (auto hash = location.find('#'); hash != std::string_view::npos) {
    location = location.substr(0, hash);
  }
  std::string_view base_path = std::string_view(base.target).substr(0, base.target.find('?'));
  std::string path;
  std::string query;
  auto q = location.find('?');
  std::string_view loc_path = location.substr(0, q);
  if (q != std::string_view::npos) {
    query = std::string(location.substr(q));
  }
  if (loc_path.empty()) {
    path = std::string(base_path);
    if (q == std::string_view::npos) {
      query = base.target.find('?') != std::string::npos ? base.target.substr(base.target.find('?'))
                                                         : std::string{};
    }
  } else if (loc_path.front() == '/') {
    path = remove_dot_segments(loc_path);
  } else {
    std::string merged(base_path.substr(0, base_path.rfind('/') + 1));
    merged += loc_path;
    path = remove_dot_segments(merged);
  }
  out.target = path + query;
  if (!valid_target(out.target)) {
    return make_error("redirect Location has spaces or control characters");
  }
  return out;
}

std::string basic_auth_value(const util::HttpUrl& url) {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string in = url.username + ":" + url.password;
  std::string out = "Basic ";
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += k_alphabet[(n >> 6) & 63];
    out += k_alphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned n =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += k_alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

} // namespace homectl::http
