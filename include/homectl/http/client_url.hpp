#pragma once

#include "homectl/util/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

// An absolute http:// or https:// URL as the outbound client needs it.
namespace homectl::http {

struct ClientUrl {
  bool tls = false;       // https
  std::string host;       // name or IP literal, without IPv6 brackets, lower-cased
  std::uint16_t port = 0; // explicit or the scheme default
  std::string target;     // path + query, at least "/"; never the fragment
  std::string username;   // percent-decoded userinfo (secret)
  std::string password;   // percent-decoded userinfo (secret)

  bool has_credentials() const { return !username.empty() || !password.empty(); }
  // True when `host` is an IPv4 or IPv6 literal (no SNI for those).
  bool host_is_ip() const;
  // "host:port" with IPv6 brackets, for the Host header and pool keys.
  std::string authority() const;
  // The URL without userinfo and with every query value replaced by "***",
  // safe for logs and for /v1/sources.
  std::string redacted() const;
};

// Parses an absolute http(s) URL. Errors name the problem and quote the URL
// with credentials and query values redacted.
Result<ClientUrl> parse_client_url(std::string_view url);

// Resolves a redirect's Location (absolute, scheme-relative, absolute-path or
// relative-path reference) against the URL that answered with it.
Result<ClientUrl> resolve_location(const ClientUrl& base, std::string_view location);

// The value of an `Authorization: Basic ...` header for the URL's userinfo.
std::string basic_auth_value(const ClientUrl& url);

} // namespace homectl::http
