#pragma once

#include "homectl/util/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace homectl::redis {

// Where and how to reach a Redis server, parsed from `redis.url`.
// The password is a secret: describe() redacts it and no error message quotes it.
struct Endpoint {
  enum class Kind { tcp, unix_socket };

  Kind kind = Kind::tcp;
  std::string host; // tcp: a name or an IP literal (no brackets)
  std::uint16_t port = 6379;
  std::string path;     // unix_socket: absolute path of the socket
  std::string user;     // empty = the default user
  std::string password; // empty = no AUTH
  int db = 0;           // SELECT after connect when not 0

  // The URL with the password replaced by "***", for logs and errors.
  std::string describe() const;

  bool operator==(const Endpoint&) const = default;
};

// Parses `redis://[user:pass@]host[:port][/db]` or `unix://[user:pass@]/path[?db=N]`.
// User and password may be percent-encoded. Errors name the offending part
// (never the password) and give an example of a valid URL.
Result<Endpoint> parse_url(std::string_view url);

} // namespace homectl::redis
