// URLs are parsed here rather than with Boost.URL: the project needs the
// authority split, strict percent-decoding, the Redis forms (unix://) and one
// redaction, all with error messages that never quote a secret; Boost.URL
// would add a compiled library to the runtime dependencies for less of that.
// IP literals are checked by Asio's address parser.
#include "homectl/util/url.hpp"

#include "url_parts.hpp"

#include "homectl/util/strings.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <charconv>

namespace homectl::util {

namespace detail {

bool has_space_or_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

std::optional<Credentials> decode_userinfo(std::string_view info, LoneUserinfo lone) {
  std::string_view u = info;
  std::string_view p;
  if (const auto colon = info.find(':'); colon != std::string_view::npos) {
    u = info.substr(0, colon);
    p = info.substr(colon + 1);
  } else if (lone == LoneUserinfo::password) {
    u = {};
    p = info;
  }
  auto du = percent_decode(u);
  auto dp = percent_decode(p);
  if (!du || !dp) {
    return std::nullopt;
  }
  return Credentials{std::move(*du), std::move(*dp)};
}

} // namespace detail

namespace {

using detail::decode_userinfo;
using detail::has_space_or_control;
using detail::LoneUserinfo;

// The address an IP literal names; nullopt for anything else.
std::optional<boost::asio::ip::address> ip_address(std::string_view host) {
  if (host.empty() || host.size() > 64) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  return ec ? std::nullopt : std::optional(address);
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || value == 0 ||
      value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

void append_redacted_query(std::string& out, std::string_view query) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    const std::size_t amp = std::min(query.find('&', pos), query.size());
    const std::string_view item = query.substr(pos, amp - pos);
    if (const auto eq = item.find('='); eq != std::string_view::npos) {
      out.append(item.substr(0, eq + 1)).append("<redacted>");
    } else if (!item.empty()) {
      out.append("<redacted>");
    }
    if (amp < query.size()) {
      out.push_back('&');
    }
    pos = amp + 1;
  }
}

} // namespace

int hex_digit(char c) {
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

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return std::nullopt;
    }
    const int hi = hex_digit(text[i + 1]);
    const int lo = hex_digit(text[i + 2]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

bool is_ip_literal(std::string_view host) {
  return ip_address(host).has_value();
}

bool is_loopback_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (iequals(host, "localhost")) {
    return true;
  }
  const auto address = ip_address(host);
  return address && address->is_loopback();
}

bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '-' || host.front() == '.') {
    return false;
  }
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

Result<Authority> parse_authority(std::string_view text) {
  Authority out;
  if (const auto at = text.rfind('@'); at != std::string_view::npos) {
    out.userinfo = text.substr(0, at);
    text.remove_prefix(at + 1);
  }
  std::string_view port;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return make_error("unterminated IPv6 address " + quote(text));
    }
    out.host = text.substr(1, close - 1);
    out.bracketed = true;
    const auto address = ip_address(out.host);
    if (!address || !address->is_v6()) {
      return make_error("bad IPv6 host " + quote(out.host));
    }
    const std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return make_error("unexpected " + quote(after) + " after the IPv6 address");
      }
      port = after.substr(1);
      has_port = true;
    }
  } else {
    out.host = text;
    if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
      out.host = text.substr(0, colon);
      port = text.substr(colon + 1);
      has_port = true;
    }
    if (out.host.empty()) {
      return make_error("no host");
    }
    if (out.host.find(':') != std::string_view::npos) {
      return make_error("IPv6 addresses need brackets (e.g. [::1]:8080)");
    }
    if (!is_host_name(out.host)) {
      return make_error("bad host " + quote(out.host));
    }
  }
  if (has_port) {
    out.port = parse_port(port);
    if (!out.port) {
      return make_error("port " + quote(port) + " is not a number from 1 to 65535");
    }
  }
  return out;
}

bool HttpUrl::host_is_ip() const {
  return is_ip_literal(host);
}

std::string HttpUrl::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string HttpUrl::redacted() const {
  std::string url = tls ? "https://" : "http://";
  url += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) {
    url += ":" + std::to_string(port);
  }
  url += target;
  return redact_url(url);
}

Result<HttpUrl> parse_http_url(std::string_view url) {
  constexpr std::string_view example = " (e.g. https://api.example.com/data)";
  if (url.empty()) {
    return make_error("empty value is not a URL" + std::string(example));
  }
  const std::string shown = quote(redact_url(url));
  if (has_space_or_control(url)) {
    return make_error(shown + " is not a URL: it contains white space or control characters");
  }
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return make_error(shown + " is not a URL" + std::string(example));
  }
  HttpUrl out;
  const std::string scheme = to_lower(url.substr(0, sep));
  if (scheme == "https") {
    out.tls = true;
  } else if (scheme != "http") {
    return make_error(shown + " is not an http or https URL" + std::string(example));
  }
  const std::string_view rest = url.substr(sep + 3);
  const auto authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  auto authority = parse_authority(rest.substr(0, authority_end));
  if (!authority) {
    const std::string& what = authority.error().message;
    return make_error(shown + " is not a URL: " + what +
                      (what == "no host" ? std::string(example) : std::string()));
  }
  if (authority->userinfo) {
    auto credentials = decode_userinfo(*authority->userinfo, LoneUserinfo::user);
    if (!credentials) {
      return make_error(shown + " is not a URL: malformed %-escape in the user or password");
    }
    out.username = std::move(credentials->user);
    out.password = std::move(credentials->password);
  }
  out.host = to_lower(authority->host);
  out.port = authority->port.value_or(out.tls ? 443 : 80);
  std::string_view tail = rest.substr(authority_end);
  tail = tail.substr(0, tail.find('#'));
  out.target = std::string(tail);
  if (out.target.empty() || out.target.front() == '?') {
    out.target.insert(out.target.begin(), '/');
  }
  return out;
}

std::string MqttUrl::describe() const {
  std::string url = tls ? "mqtts://" : "mqtt://";
  if (!user.empty() || !password.empty()) {
    url += "<redacted>@";
  }
  url += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return url + ":" + std::to_string(port);
}

Result<MqttUrl> parse_mqtt_url(std::string_view url) {
  constexpr std::string_view example = " (e.g. mqtt://user:password@broker.lan:1883)";
  if (url.empty()) {
    return make_error("empty value is not an MQTT URL" + std::string(example));
  }
  const std::string shown = quote(redact_url(url));
  if (has_space_or_control(url)) {
    return make_error(shown + " is not a URL: it contains white space or control characters");
  }
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return make_error(shown + " is not an MQTT URL" + std::string(example));
  }
  MqttUrl out;
  const std::string scheme = to_lower(url.substr(0, sep));
  if (scheme == "mqtts") {
    out.tls = true;
  } else if (scheme != "mqtt") {
    return make_error(shown + " is not an mqtt or mqtts URL" + std::string(example));
  }
  const std::string_view rest = url.substr(sep + 3);
  const auto authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  const std::string_view tail = rest.substr(authority_end);
  if (!tail.empty() && tail != "/") {
    return make_error(shown + " is not an MQTT URL: it may not have a path, query or fragment" +
                      std::string(example));
  }
  auto authority = parse_authority(rest.substr(0, authority_end));
  if (!authority) {
    return make_error(shown + " is not an MQTT URL: " + authority.error().message);
  }
  if (authority->userinfo) {
    auto credentials = decode_userinfo(*authority->userinfo, LoneUserinfo::user);
    if (!credentials) {
      return make_error(shown + " is not an MQTT URL: malformed %-escape in the user or password");
    }
    if (credentials->user.empty() && !credentials->password.empty()) {
      return make_error(shown + " is not an MQTT URL: a password needs a user name");
    }
    out.user = std::move(credentials->user);
    out.password = std::move(credentials->password);
  }
  out.host = to_lower(authority->host);
  out.port = authority->port.value_or(out.tls ? 8883 : 1883);
  return out;
}

std::string redact_url(std::string_view url, UrlPath path) {
  std::string out;
  std::size_t start = 0;
  if (const auto sep = url.find("://"); sep != std::string_view::npos) {
    start = sep + 3;
  }
  out.append(url.substr(0, start));
  const std::size_t authority_end = std::min(url.find_first_of("/?#", start), url.size());
  std::string_view authority = url.substr(start, authority_end - start);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    out.append("<redacted>@");
    authority.remove_prefix(at + 1);
  }
  out.append(authority);
  std::string_view rest = url.substr(authority_end);
  const auto hash = rest.find('#');
  const bool has_fragment = hash != std::string_view::npos && hash + 1 < rest.size();
  rest = rest.substr(0, hash);
  const auto q = rest.find('?');
  const std::string_view shown_path = rest.substr(0, q);
  if (path == UrlPath::shown || shown_path.size() <= 1) {
    out.append(shown_path);
  } else {
    out.append("/<redacted>");
  }
  if (q != std::string_view::npos) {
    out.push_back('?');
    append_redacted_query(out, rest.substr(q + 1));
  }
  if (has_fragment) {
    out.append("#<redacted>");
  }
  return out;
}

std::string url_host_label(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return {};
  }
  const std::string_view rest = url.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  auto parsed = parse_authority(authority);
  if (!parsed) {
    return {};
  }
  return to_lower(authority);
}

} // namespace homectl::util
