#pragma once

#include "homectl/util/result.hpp"
#include "homectl/util/url.hpp"

#include <string_view>

namespace homectl::redis {

// Where and how to reach a Redis server, parsed from `redis.url` by the same
// parser configuration validation uses (util/url).
using Endpoint = util::RedisUrl;

inline Result<Endpoint> parse_url(std::string_view url) {
  return util::parse_redis_url(url);
}

} // namespace homectl::redis
