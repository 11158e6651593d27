#include "homectl/redis/endpoint.hpp"

#include <charconv>
#include <optional>

namespace homectl::redis {
namespace {

constexpr std::string_view k_example =
    "(e.g. redis://:password@127.0.0.1:6379/0 or unix:///run/redis.sock)";

Error url_error(std::string_view what) {
  return make_error("redis.url: " + std::string(what) + " " + std::string(k_example));
}

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

// Decodes %XX escapes; nullopt when an escape is malformed.
std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) {
      return std::nullopt;
    }
    int hi = hex_value(in[i + 1]);
    int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

// Splits "user:pass@" off the front of `rest`. `at` is the position of the '@'
// that ends the userinfo, or npos when there is none.
std::optional<Error> take_userinfo(std::string_view& rest, std::size_t at, Endpoint& ep) {
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view info = rest.substr(0, at);
  rest.remove_prefix(at + 1);
  std::string_view user = info;
  std::string_view pass;
  if (auto colon = info.find(':'); colon != std::string_view::npos) {
    user = info.substr(0, colon);
    pass = info.substr(colon + 1);
  } else {
    // "redis://secret@host" is the common shorthand for a password alone.
    pass = info;
    user = {};
  }
  auto decoded_user = percent_decode(user);
  auto decoded_pass = percent_decode(pass);
  if (!decoded_user || !decoded_pass) {
    return url_error("malformed %-escape in user or password");
  }
  ep.user = std::move(*decoded_user);
  ep.password = std::move(*decoded_pass);
  return std::nullopt;
}

std::optional<Error> parse_db(std::string_view text, Endpoint& ep) {
  auto db = parse_int(text);
  if (!db || *db < 0) {
    return url_error("database \"" + std::string(text) + "\" is not a non-negative number");
  }
  ep.db = *db;
  return std::nullopt;
}

Result<Endpoint> parse_unix(std::string_view rest) {
  Endpoint ep;
  ep.kind = Endpoint::Kind::unix_socket;
  // The path starts right after the userinfo, so the last "@/" ends it.
  auto at = rest.rfind("@/");
  if (auto err = take_userinfo(rest, at, ep)) {
    return *err;
  }
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (rest.empty() || rest.front() != '/') {
    return url_error("unix socket path \"" + std::string(rest) + "\" must be absolute");
  }
  ep.path = std::string(rest);
  if (!query.empty()) {
    if (query.substr(0, 3) != "db=") {
      return url_error("unsupported query \"" + std::string(query) + "\" (only db=N is known)");
    }
    if (auto err = parse_db(query.substr(3), ep)) {
      return *err;
    }
  }
  return ep;
}

Result<Endpoint> parse_tcp(std::string_view rest) {
  Endpoint ep;
  // No '@' may appear in host, port or db, so the last one ends the userinfo
  // (an unescaped '/' in a password must not leak into a "bad db" error).
  if (auto err = take_userinfo(rest, rest.rfind('@'), ep)) {
    return *err;
  }
  if (rest.find('?') != std::string_view::npos) {
    return url_error("query parameters are not supported in \"" +
                     std::string(rest.substr(rest.find('?'))) + "\"");
  }
  std::string_view hostport = rest;
  std::string_view db;
  bool has_db = false;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    db = rest.substr(slash + 1);
    has_db = true;
  }
  std::string_view port;
  bool has_port = false;
  if (!hostport.empty() && hostport.front() == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) {
      return url_error("unterminated IPv6 address \"" + std::string(hostport) + "\"");
    }
    ep.host = std::string(hostport.substr(1, close - 1));
    auto after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return url_error("unexpected \"" + std::string(after) + "\" after the IPv6 address");
      }
      port = after.substr(1);
      has_port = true;
    }
  } else if (auto colon = hostport.find(':'); colon != std::string_view::npos) {
    ep.host = std::string(hostport.substr(0, colon));
    port = hostport.substr(colon + 1);
    has_port = true;
  } else {
    ep.host = std::string(hostport);
  }
  if (ep.host.empty()) {
    return url_error("the host is missing");
  }
  if (has_port) {
    auto value = parse_int(port);
    if (!value || *value < 1 || *value > 65535) {
      return url_error("port \"" + std::string(port) + "\" is not a number from 1 to 65535");
    }
    ep.port = static_cast<std::uint16_t>(*value);
  }
  if (has_db && !db.empty()) {
    if (auto err = parse_db(db, ep)) {
      return *err;
    }
  }
  return ep;
}

} // namespace

std::string Endpoint::describe() const {
  std::string auth;
  if (!user.empty() || !password.empty()) {
    auth = user + (password.empty() ? "" : ":***") + "@";
  }
  if (kind == Kind::unix_socket) {
    return "unix://" + auth + path + (db != 0 ? "?db=" + std::to_string(db) : "");
  }
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "redis://" + auth + h + ":" + std::to_string(port) +
         (db != 0 ? "/" + std::to_string(db) : "");
}

Result<Endpoint> parse_url(std::string_view url) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    // Quote the value only when it cannot hold a password (no userinfo '@').
    if (url.find('@') != std::string_view::npos) {
      return url_error("the value is not a URL");
    }
    return url_error("\"" + std::string(url) + "\" is not a URL");
  }
  std::string scheme(url.substr(0, sep));
  std::string_view rest = url.substr(sep + 3);
  if (scheme == "redis") {
    return parse_tcp(rest);
  }
  if (scheme == "unix") {
    return parse_unix(rest);
  }
  if (scheme == "rediss") {
    return url_error("TLS (rediss://) is not supported by this client; use redis:// on a trusted "
                     "network or a unix socket");
  }
  return url_error("unsupported scheme \"" + scheme + "\" (expected redis:// or unix://)");
}

} // namespace homectl::redis
