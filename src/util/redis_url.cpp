// Redis URLs: redis://[user:password@]host[:port][/db] and
// unix://[user:password@]/path[?db=N], with errors that never quote a secret.
#include "homectl/util/url.hpp"

#include "url_parts.hpp"

#include "homectl/util/strings.hpp"

#include <charconv>

namespace homectl::util {
namespace {

using detail::decode_userinfo;
using detail::has_space_or_control;
using detail::LoneUserinfo;

constexpr std::string_view k_redis_example =
    " (e.g. redis://:password@127.0.0.1:6379/0 or unix:///run/redis.sock)";

Error redis_error(std::string_view what) {
  return make_error("the Redis URL is invalid: " + std::string(what) +
                    std::string(k_redis_example));
}

bool parse_db(std::string_view text, int& db) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || value < 0) {
    return false;
  }
  db = value;
  return true;
}

Result<RedisUrl> parse_redis_unix(std::string_view rest) {
  RedisUrl out;
  out.kind = RedisUrl::Kind::unix_socket;
  // The path starts right after the userinfo, so the last "@/" ends it.
  if (const auto at = rest.rfind("@/"); at != std::string_view::npos) {
    auto credentials = decode_userinfo(rest.substr(0, at), LoneUserinfo::password);
    if (!credentials) {
      return redis_error("malformed %-escape in the user or password");
    }
    out.user = std::move(credentials->user);
    out.password = std::move(credentials->password);
    rest.remove_prefix(at + 1);
  }
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  // Never quoted: without "@/" a password would be part of it.
  if (rest.empty() || rest.front() != '/') {
    return redis_error("the socket path must be absolute");
  }
  out.path = std::string(rest);
  if (!query.empty()) {
    if (!query.starts_with("db=")) {
      return redis_error("the only query a socket URL takes is db=N");
    }
    if (!parse_db(query.substr(3), out.db)) {
      return redis_error("database " + quote(query.substr(3)) + " is not a non-negative number");
    }
  }
  return out;
}

Result<RedisUrl> parse_redis_tcp(std::string_view rest) {
  RedisUrl out;
  // No '@' may appear in host, port or db, so the last one ends the userinfo
  // (an unescaped '/' in a password must not leak into a "bad db" error).
  std::string_view info;
  bool has_info = false;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    info = rest.substr(0, at);
    has_info = true;
    rest.remove_prefix(at + 1);
  }
  if (rest.find('?') != std::string_view::npos) {
    return redis_error("query parameters are not supported");
  }
  const auto slash = rest.find('/');
  auto authority = parse_authority(rest.substr(0, slash));
  if (!authority) {
    return redis_error(authority.error().message);
  }
  out.host = to_lower(authority->host);
  out.port = authority->port.value_or(6379);
  if (has_info) {
    auto credentials = decode_userinfo(info, LoneUserinfo::password);
    if (!credentials) {
      return redis_error("malformed %-escape in the user or password");
    }
    out.user = std::move(credentials->user);
    out.password = std::move(credentials->password);
  }
  if (slash != std::string_view::npos && slash + 1 < rest.size()) {
    const std::string_view db = rest.substr(slash + 1);
    if (!parse_db(db, out.db)) {
      return redis_error("database " + quote(db) + " is not a non-negative number");
    }
  }
  return out;
}

} // namespace

std::string RedisUrl::describe() const {
  const std::string auth = user.empty() && password.empty() ? "" : "<redacted>@";
  if (kind == Kind::unix_socket) {
    return "unix://" + auth + path + (db != 0 ? "?db=" + std::to_string(db) : "");
  }
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "redis://" + auth + h + ":" + std::to_string(port) +
         (db != 0 ? "/" + std::to_string(db) : "");
}

Result<RedisUrl> parse_redis_url(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return redis_error("it does not start with redis:// or unix://");
  }
  const std::string scheme = to_lower(url.substr(0, sep));
  const std::string_view rest = url.substr(sep + 3);
  if (scheme == "redis") {
    return parse_redis_tcp(rest);
  }
  if (scheme == "unix") {
    return parse_redis_unix(rest);
  }
  if (scheme == "rediss") {
    return make_error("the Redis URL uses TLS (rediss://), which is not supported; use redis:// on "
                      "a trusted network or a unix socket");
  }
  if (has_space_or_control(scheme) || scheme.size() > 16) {
    return redis_error("it does not start with redis:// or unix://");
  }
  return redis_error("unsupported scheme " + quote(scheme) + " (expected redis:// or unix://)");
}

} // namespace homectl::util
