#include "homectl/http/client_url.hpp"

#include "homectl/util/strings.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <charconv>
#include <vector>

namespace homectl::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// Masks userinfo and every query value of a URL-ish text, for messages and logs.
std::string redact_text(std::string_view url) {
  std::string out;
  std::size_t scheme_end = url.find("://");
  std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  out.append(url.substr(0, authority_start));
  std::string_view rest = url.substr(authority_start);
  std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    out.append("***@");
    authority = authority.substr(at + 1);
  }
  out.append(authority);
  if (authority_end == std::string_view::npos) {
    return out;
  }
  std::string_view tail = rest.substr(authority_end);
  if (auto hash = tail.find('#'); hash != std::string_view::npos) {
    tail = tail.substr(0, hash);
  }
  std::size_t q = tail.find('?');
  out.append(tail.substr(0, q));
  if (q == std::string_view::npos) {
    return out;
  }
  out.push_back('?');
  auto items = util::split(tail.substr(q + 1), '&');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out.push_back('&');
    }
    auto eq = items[i].find('=');
    if (eq == std::string::npos) {
      out.append(items[i].empty() ? "" : "***");
    } else {
      out.append(items[i].substr(0, eq + 1)).append("***");
    }
  }
  return out;
}

bool valid_target(std::string_view target) {
  return std::none_of(target.begin(), target.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

bool valid_host(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == ':' || c == '%';
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

bool ClientUrl::host_is_ip() const {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  return !ec;
}

std::string ClientUrl::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string ClientUrl::redacted() const {
  std::string url = tls ? "https://" : "http://";
  url += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) {
    url += ":" + std::to_string(port);
  }
  url += target;
  return redact_text(url);
}

Result<ClientUrl> parse_client_url(std::string_view url) {
  auto fail = [&](std::string_view what) {
    return make_error("url \"" + redact_text(url) + "\": " + std::string(what));
  };
  ClientUrl out;
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return fail("not an absolute URL (expected http:// or https://)");
  }
  std::string scheme = util::to_lower(url.substr(0, scheme_end));
  if (scheme == "https") {
    out.tls = true;
  } else if (scheme != "http") {
    return fail("unsupported scheme \"" + scheme + "\" (expected http or https)");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (auto hash = tail.find('#'); hash != std::string_view::npos) {
    tail = tail.substr(0, hash);
  }
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    out.username = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) {
      out.password = percent_decode(userinfo.substr(colon + 1));
    }
  }
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return fail("unterminated IPv6 literal");
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return fail("unexpected text after the IPv6 literal");
      }
      port = after.substr(1);
      if (port.empty()) {
        return fail("empty port");
      }
    }
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(host), ec);
    if (ec || !address.is_v6()) {
      return fail("\"" + std::string(host) + "\" is not an IPv6 address");
    }
  } else {
    auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) {
        return fail("empty port");
      }
    }
    if (host.find(':') != std::string_view::npos) {
      return fail("IPv6 addresses need brackets, e.g. http://[::1]:8080/");
    }
  }
  if (host.empty()) {
    return fail("missing host");
  }
  if (!valid_host(host)) {
    return fail("invalid host \"" + std::string(host) + "\"");
  }
  out.host = util::to_lower(host);
  out.port = out.tls ? 443 : 80;
  if (!port.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return fail("invalid port \"" + std::string(port) + "\" (1-65535)");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  out.target = std::string(tail);
  if (out.target.empty() || out.target.front() == '?') {
    out.target.insert(out.target.begin(), '/');
  }
  if (!valid_target(out.target)) {
    return fail("spaces or control characters in the path (percent-encode them)");
  }
  return out;
}

Result<ClientUrl> resolve_location(const ClientUrl& base, std::string_view location) {
  location = util::trim(location);
  if (location.empty()) {
    return make_error("redirect without a Location");
  }
  auto scheme_end = location.find("://");
  auto first_special = location.find_first_of("/?#");
  if (scheme_end != std::string_view::npos &&
      (first_special == std::string_view::npos || first_special > scheme_end)) {
    return parse_client_url(location);
  }
  if (location.starts_with("//")) {
    return parse_client_url(std::string(base.tls ? "https:" : "http:") + std::string(location));
  }
  ClientUrl out = base;
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

std::string basic_auth_value(const ClientUrl& url) {
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
