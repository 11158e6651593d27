#pragma once

#include "homectl/util/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The one place URLs are taken apart, checked and shown. Configuration
// validation calls the same parsers the runtime connects with, so "valid"
// means "will work"; every URL the project prints goes through redact_url().
namespace homectl::util {

// The value of a hexadecimal digit, or -1.
int hex_digit(char c);

// Decodes %XX escapes; nullopt when an escape is malformed ("%zz", a "%" near
// the end). Nothing else is decoded ('+' stays '+').
std::optional<std::string> percent_decode(std::string_view text);

// An IPv4 or IPv6 literal (without brackets).
bool is_ip_literal(std::string_view host);

// Loopback means an IP in 127.0.0.0/8, ::1 (brackets allowed), or exactly the
// name "localhost" (any case). "127.evil.example" is a name like any other.
bool is_loopback_host(std::string_view host);

// A host name as a URL may carry it: letters, digits, '-', '.', '_', at most
// 253 characters, not starting with '-' or '.'.
bool is_host_name(std::string_view host);

// The authority of a URL, "[userinfo@]host[:port]", taken apart. The last '@'
// ends the userinfo (a password may hold '@', a host may not); IPv6 literals
// are written in brackets.
struct Authority {
  std::optional<std::string_view> userinfo; // as written (still percent-encoded)
  std::string_view host;                    // without brackets
  bool bracketed = false;                   // host was an IPv6 literal in brackets
  std::optional<std::uint16_t> port;        // 1-65535 when present
};

// Errors name the problem and quote the host or port, never the userinfo.
Result<Authority> parse_authority(std::string_view text);

// An absolute http:// or https:// URL: what the outbound client connects to
// and what configuration validation accepts.
struct HttpUrl {
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
  // The URL as redact_url() shows it (no userinfo, no query values).
  std::string redacted() const;
};

// Errors quote the URL only through redact_url() and say what is wrong.
Result<HttpUrl> parse_http_url(std::string_view url);

// Where and how to reach a Redis server: `redis://[user:pass@]host[:port][/db]`
// or `unix://[user:pass@]/path[?db=N]`. User and password may be
// percent-encoded; "redis://secret@host" is a password alone.
struct RedisUrl {
  enum class Kind { tcp, unix_socket };

  Kind kind = Kind::tcp;
  std::string host; // tcp: a name or an IP literal (no brackets)
  std::uint16_t port = 6379;
  std::string path;     // unix_socket: absolute path of the socket
  std::string user;     // empty = the default user
  std::string password; // empty = no AUTH
  int db = 0;           // SELECT after connect when not 0

  // The URL for logs and errors, userinfo shown as redact_url() does.
  std::string describe() const;

  bool operator==(const RedisUrl&) const = default;
};

// Errors never quote the URL (it may hold a password) and give an example.
Result<RedisUrl> parse_redis_url(std::string_view url);

// Where and how to reach an MQTT broker: `mqtt://[user[:password]@]host[:port]`
// (port 1883) or `mqtts://...` (TLS, port 8883); a path of "/" at most, no
// query or fragment. User and password may be percent-encoded.
struct MqttUrl {
  bool tls = false;
  std::string host; // a name or an IP literal (no brackets), lower-cased
  std::uint16_t port = 1883;
  std::string user;     // empty = none
  std::string password; // empty = none

  // The URL for logs and errors: "mqtt://<redacted>@host:port" when it has a user.
  std::string describe() const;

  bool operator==(const MqttUrl&) const = default;
};

// Errors quote the URL only through redact_url() and give an example.
Result<MqttUrl> parse_mqtt_url(std::string_view url);

// Whether a URL's path may be shown: a webhook id or an ntfy topic in the
// path is a credential.
enum class UrlPath { shown, secret };

// The one redaction of a URL for output: the userinfo becomes "<redacted>@",
// every query item's value (or a bare item) "<redacted>", a fragment
// "#<redacted>", a secret path "/<redacted>"; scheme, host and port stay.
// Text that is not a URL gets the same treatment as far as it looks like one.
std::string redact_url(std::string_view url, UrlPath path = UrlPath::shown);

// "host" or "host:port" as written in the URL, lower-case, the only part of a
// notifier URL that is ever shown; "" when there is no plausible host.
std::string url_host_label(std::string_view url);

} // namespace homectl::util
