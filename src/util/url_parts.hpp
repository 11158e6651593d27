#pragma once

#include <optional>
#include <string>
#include <string_view>

// Internal to util: the pieces of URL parsing that the http(s) parser
// (url.cpp) and the Redis one (redis_url.cpp) share.
namespace homectl::util::detail {

bool has_space_or_control(std::string_view text);

struct Credentials {
  std::string user;
  std::string password;
};

// What a userinfo without ':' names: a user (http), or the password (Redis,
// whose AUTH needs no user).
enum class LoneUserinfo { user, password };

// "user:pass", or one of them alone, percent-decoded; nullopt when an escape
// is malformed.
std::optional<Credentials> decode_userinfo(std::string_view info, LoneUserinfo lone);

} // namespace homectl::util::detail
